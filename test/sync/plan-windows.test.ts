import { describe, expect, it } from "vitest";

import { cutOpenWindow } from "../../src/sync/collect-window.js";
import { cutWindow, cutsAfter } from "../../src/sync/plan-windows.js";

describe("planned windows", () => {
  it("cuts only inside the window, in order, sharing boundary seconds", () => {
    expect(cutWindow({ start: 10, end: 40 }, [30, 5, 20, 20, 40])).toEqual([
      { start: 10, end: 20 },
      { start: 20, end: 30 },
      { start: 30, end: 40 },
    ]);
    expect(cutWindow({ start: null, end: null }, [20])).toEqual([{ start: null, end: null }]);
  });

  it("cuts one second after each group but the newest, which reads on with rooms newer than the mirror", () => {
    expect(cutsAfter([100, 200, 300])).toEqual([101, 201]);
    expect(cutsAfter([])).toEqual([]);
  });
});

describe("the open window", () => {
  it("is cut one second before the second its clock surely reached, nothing stamped later can fall before", () => {
    expect(cutOpenWindow({ start: 100, end: null }, 500)).toEqual([
      { start: 100, end: 499 },
      { start: 499, end: null },
    ]);
    expect(cutOpenWindow({ start: 100, end: null }, 101)).toBeNull();
    expect(cutOpenWindow({ start: 100, end: 200 }, 150)).toBeNull();
    expect(cutOpenWindow({ start: 100, end: null }, undefined)).toBeNull();
  });
});

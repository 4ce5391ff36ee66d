import { describe, expect, it } from "vitest";

import { formatRfc3339, splitWindow, uncoveredWindows, windowParams } from "../../src/sync/time-window.js";

describe("time windows", () => {
  it("formats RFC 3339 at second precision in UTC", () => {
    expect(formatRfc3339(Date.parse("2021-01-10T08:43:17.999Z") / 1000)).toBe("2021-01-10T08:43:17Z");
  });

  it("splits into halves that share their middle second", () => {
    expect(splitWindow({ start: 10, end: 20 })).toEqual([
      { start: 10, end: 15 },
      { start: 15, end: 20 },
    ]);
  });

  it("cuts into equal parts that share their boundary seconds, fewer when the window is narrower", () => {
    expect(splitWindow({ start: 0, end: 100 }, 4)).toEqual([
      { start: 0, end: 25 },
      { start: 25, end: 50 },
      { start: 50, end: 75 },
      { start: 75, end: 100 },
    ]);
    expect(splitWindow({ start: 0, end: 10 }, 3)).toEqual([
      { start: 0, end: 3 },
      { start: 3, end: 6 },
      { start: 6, end: 10 },
    ]);
    expect(splitWindow({ start: 7, end: 10 }, 8)).toEqual([
      { start: 7, end: 8 },
      { start: 8, end: 9 },
      { start: 9, end: 10 },
    ]);
  });

  it("does not split a one-second or open window", () => {
    expect(splitWindow({ start: 10, end: 11 })).toBeNull();
    expect(splitWindow({ start: 10, end: null })).toBeNull();
    expect(splitWindow({ start: 10, end: 12 })).toEqual([
      { start: 10, end: 11 },
      { start: 11, end: 12 },
    ]);
  });

  it("sends only the bounds a window has", () => {
    expect(windowParams({ start: 0, end: null })).toEqual({ startTime: "1970-01-01T00:00:00Z" });
    expect(windowParams({ start: null, end: null })).toEqual({});
  });

  it("leaves a resumed run only the gaps between completed windows", () => {
    const done = [
      { start: 50, end: 60 },
      { start: 10, end: 20 },
      { start: 55, end: 70 },
    ];
    expect(uncoveredWindows({ start: 0, end: 100 }, done)).toEqual([
      { start: 0, end: 10 },
      { start: 20, end: 50 },
      { start: 70, end: 100 },
    ]);
    expect(uncoveredWindows({ start: 0, end: 100 }, [{ start: 0, end: 100 }])).toEqual([]);
    expect(uncoveredWindows({ start: 30, end: 40 }, done)).toEqual([{ start: 30, end: 40 }]);
    expect(uncoveredWindows({ start: null, end: null }, done)).toEqual([{ start: null, end: null }]);
  });
});

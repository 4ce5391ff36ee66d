import { describe, expect, it } from "vitest";

import { cutOpenWindow } from "../../src/sync/collect-window.js";
import { cutWindow, cutsAfter } from "../../src/sync/plan-windows.js";
import { UpstreamClock, latestStamp } from "../../src/sync/upstream-clock.js";

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
  it("is cut one second before the latest stamp it returned, nothing stamped later can fall before", () => {
    expect(cutOpenWindow({ start: 100, end: null }, 500)).toEqual([
      { start: 100, end: 499 },
      { start: 499, end: null },
    ]);
    expect(cutOpenWindow({ start: 100, end: null }, 101)).toBeNull();
    expect(cutOpenWindow({ start: 100, end: 200 }, 150)).toBeNull();
    expect(cutOpenWindow({ start: 100, end: null }, undefined)).toBeNull();
  });
});

describe("UpstreamClock", () => {
  const at = new Date("2026-01-01T00:00:00Z");
  it("measures an upstream ahead from rooms stamped after our now", () => {
    const clock = new UpstreamClock();
    clock.observe(
      { rooms: [{ update_time: "2026-01-01T00:02:00Z", create_time: "2025-01-01T00:00:00Z" }] },
      at,
    );
    expect(clock.offsetSeconds).toBe(120);
    expect(clock.measured).toBe(true);
  });
  it("measures an upstream behind from the Date header, never less than the stamps prove", () => {
    const clock = new UpstreamClock();
    clock.observe({ date: "Wed, 31 Dec 2025 23:56:00 GMT", rooms: [] }, at);
    expect(clock.offsetSeconds).toBe(-240);
    clock.observe(
      { date: "Wed, 31 Dec 2025 23:56:00 GMT", rooms: [{ update_time: "2026-01-01T00:00:30Z" }] },
      at,
    );
    expect(clock.offsetSeconds).toBe(30);
  });
  it("knows nothing without a header or a stamp ahead", () => {
    const clock = new UpstreamClock();
    clock.observe({ rooms: [{ update_time: "2025-01-01T00:00:00Z" }] }, at);
    expect(clock.measured).toBe(false);
    expect(clock.offsetSeconds).toBe(0);
    expect(latestStamp([{ update_time: "bad" }, { create_time: "1970-01-01T00:01:40Z" }])).toBe(100);
    expect(latestStamp([])).toBeUndefined();
    expect(latestStamp([{ update_time: null, create_time: "" }, { update_time: "never" }])).toBeUndefined();
    // Whole seconds, rounded down also before 1970; either stamp of any room may be the latest.
    expect(latestStamp([{ create_time: "1969-12-31T23:59:59.500Z" }])).toBe(-1);
    expect(
      latestStamp([
        { update_time: "2024-01-01T10:00:00Z", create_time: "2024-01-01T11:00:00.999+02:00" },
        { update_time: "2024-01-01T09:30:00-00:31", create_time: null },
      ]),
    ).toBe(Date.UTC(2024, 0, 1, 10, 1) / 1000);
  });
  it("finds the latest stamp compared as text exactly as parsed, whatever the forms mixed in", () => {
    const parsed = (rooms: Array<{ update_time?: string; create_time?: string }>) => {
      const all = rooms.flatMap((r) => [r.update_time, r.create_time]).map((t) => (t ? Date.parse(t) : NaN));
      const latest = Math.max(...all.filter((t) => !Number.isNaN(t)));
      return latest === -Infinity ? undefined : Math.floor(latest / 1000);
    };
    const forms = [
      "2024-03-01T10:00:00Z",
      "2024-03-01T09:59:59Z",
      "2024-03-01T10:00:00.999Z",
      "2024-03-01T12:00:00+02:00",
      "2024-03-01T10:00:01+00:00",
      "2024-02-29T23:59:59Z",
      "1999-12-31T23:59:59Z",
      "2024-03-01 10:00:02",
      "2024-02-30T10:00:00Z",
      "bad",
    ];
    for (const [i, a] of forms.entries()) {
      for (const b of forms.slice(i)) {
        const rooms = [{ update_time: a }, { update_time: "2020-01-01T00:00:00Z", create_time: b }];
        expect(latestStamp(rooms), `${a} / ${b}`).toBe(parsed(rooms));
      }
    }
  });
});

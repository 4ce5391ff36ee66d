import { describe, expect, it } from "vitest";

import { planRun } from "../../src/sync/plan-run.js";

const now = new Date("2025-06-01T12:00:00Z");
const sec = (iso: string) => Date.parse(iso) / 1000;
const base = { now, lookbackSeconds: 3600, clockSkewSeconds: 300 };

describe("planRun", () => {
  it("reads all time, then an open tail with no end_time, on a full run, and finds deletions", () => {
    const plan = planRun({
      ...base,
      mode: "full",
      watermark: new Date("2025-05-31T00:00:00Z"),
      filterField: null,
    });
    const settled = sec("2025-06-01T11:55:00Z");
    expect(plan.windows).toEqual([{ start: 0, end: settled }]);
    expect(plan.tail).toEqual({ start: settled, end: null });
    expect(plan.findsDeletions).toBe(true);
    expect(plan.settledUntil.toISOString()).toBe("2025-06-01T11:55:00.000Z");
  });

  it("narrows an incremental run to the watermark minus the lookback", () => {
    const plan = planRun({
      ...base,
      mode: "incremental",
      watermark: new Date("2025-06-01T11:00:00Z"),
      filterField: "update_time",
    });
    expect(plan.windows[0]).toEqual({ start: sec("2025-06-01T10:00:00Z"), end: sec("2025-06-01T11:55:00Z") });
    expect(plan.findsDeletions).toBe(false);
  });

  it("reads everything on the first incremental run", () => {
    const plan = planRun({ ...base, mode: "incremental", watermark: null, filterField: null });
    expect(plan.windows[0]!.start).toBe(0);
  });

  it("reads everything incrementally when the filter applies to create_time", () => {
    const plan = planRun({
      ...base,
      mode: "incremental",
      watermark: new Date("2025-06-01T11:00:00Z"),
      filterField: "create_time",
    });
    expect(plan.windows[0]!.start).toBe(0);
  });

  it("sends no time filter at all when the upstream ignores it", () => {
    const plan = planRun({ ...base, mode: "incremental", watermark: now, filterField: "ignored" });
    expect(plan.windows).toEqual([]);
    expect(plan.tail).toEqual({ start: null, end: null });
  });

  it("never starts after the settled end when the watermark is in the future", () => {
    const plan = planRun({
      ...base,
      mode: "incremental",
      watermark: new Date("2025-06-02T00:00:00Z"),
      filterField: "update_time",
    });
    expect(plan.windows[0]!.start).toBe(sec("2025-06-01T10:55:00Z"));
  });

  it("cuts the settled span where the mirror's rooms fill a page, and no window ends at our clock", () => {
    const plan = planRun({ ...base, mode: "full", watermark: null, filterField: null, cuts: [100, 50, 200] });
    const settled = sec("2025-06-01T11:55:00Z");
    expect(plan.windows).toEqual([
      { start: 0, end: 50 },
      { start: 50, end: 100 },
      { start: 100, end: 200 },
      { start: 200, end: settled },
    ]);
    expect([...plan.windows, plan.tail].some((w) => w.end === sec("2025-06-01T12:00:00Z"))).toBe(false);
  });
});

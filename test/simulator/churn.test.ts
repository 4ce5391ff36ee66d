import { describe, expect, it } from "vitest";

import { checkChurn, ChurnSchedule, MAX_CHANGES_AT_ONCE, type Churn } from "../../src/simulator/churn.js";

const churn = (patch: Partial<Churn>): Churn => ({
  perRequest: 0,
  perSecond: 0,
  mix: { create: 0, update: 1, delete: 0 },
  ...patch,
});

describe("ChurnSchedule", () => {
  it("accumulates fractional rates per request", () => {
    const schedule = new ChurnSchedule(1);
    const half = Array.from({ length: 6 }, () => schedule.due("p", churn({ perRequest: 0.5 }), 0).length);
    expect(half).toEqual([0, 1, 0, 1, 0, 1]);
    const more = Array.from({ length: 4 }, () => schedule.due("q", churn({ perRequest: 2.5 }), 0).length);
    expect(more).toEqual([2, 3, 2, 3]);
  });

  it("pays a per-second rate for the time since the project's previous request", () => {
    const schedule = new ChurnSchedule(1);
    const rate = churn({ perSecond: 10 });
    expect(schedule.due("p", rate, 1_000_000).length).toBe(0); // the clock starts at the first request
    expect(schedule.due("p", rate, 1_000_500).length).toBe(5);
    expect(schedule.due("p", rate, 1_000_550).length).toBe(0);
    expect(schedule.due("p", rate, 1_000_600).length).toBe(1);
    expect(schedule.due("other", rate, 1_000_600).length).toBe(0); // each project has its own clock
    schedule.reset();
    expect(schedule.due("p", rate, 1_100_000).length).toBe(0); // a reset forgets the pause
  });

  it("bounds the changes made at once after a long pause", () => {
    const schedule = new ChurnSchedule(1);
    const rate = churn({ perSecond: 1000 });
    schedule.due("p", rate, 0);
    expect(schedule.due("p", rate, 3_600_000).length).toBe(MAX_CHANGES_AT_ONCE);
  });

  it("draws kinds by the mix's weights, never a kind weighted zero, the same for the same seed", () => {
    const mix = { create: 1, update: 2, delete: 1 };
    const kinds = new ChurnSchedule(7).due("p", churn({ perRequest: 4000, mix }), 0);
    const count = (kind: string) => kinds.filter((k) => k === kind).length;
    expect(count("update")).toBeGreaterThan(1800);
    expect(count("update")).toBeLessThan(2200);
    expect(count("create")).toBeGreaterThan(850);
    expect(count("delete")).toBeGreaterThan(850);
    expect(new ChurnSchedule(7).due("p", churn({ perRequest: 4000, mix }), 0)).toEqual(kinds);
    const editsOnly = new ChurnSchedule(7).due("p", churn({ perRequest: 500 }), 0);
    expect(new Set(editsOnly)).toEqual(new Set(["update"]));
  });
});

describe("checkChurn", () => {
  it("refuses negative or non-finite rates and weights, naming them", () => {
    expect(() => checkChurn(churn({ perRequest: -1 }))).toThrow(/non-negative/);
    expect(() => checkChurn(churn({ perSecond: Number.NaN }))).toThrow(/finite/);
    expect(() => checkChurn(churn({ mix: { create: 0, update: -1, delete: 0 } }))).toThrow(/weights/);
    expect(checkChurn(churn({ perRequest: 1 })).perRequest).toBe(1);
  });
});

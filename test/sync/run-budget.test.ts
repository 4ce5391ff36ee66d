import { describe, expect, it } from "vitest";

import { RunBudget, RunBudgetExceededError } from "../../src/sync/run-budget.js";

describe("RunBudget", () => {
  it("allows a base of requests and more per page of the largest count reported", () => {
    const budget = new RunBudget(0, { baseRequests: 5, requestsPerPage: 2 });
    expect(budget.maxRequests).toBe(5);
    budget.observeCount(250);
    budget.observeCount(100);
    expect(budget.maxRequests).toBe(11);
    for (let i = 0; i < 11; i += 1) budget.spend(0);
    expect(() => budget.spend(0)).toThrow(RunBudgetExceededError);
    expect(() => budget.spend(0)).toThrow(/made 13 requests, more than the 11 allowed .* at most 250 rooms/);
  });

  it("allows a base of wall time and more per page", () => {
    const budget = new RunBudget(1000, { baseMs: 10_000, msPerPage: 1000 });
    budget.observeCount(500);
    expect(budget.maxMs).toBe(15_000);
    budget.spend(16_000);
    expect(() => budget.spend(16_001)).toThrow(/ran 15 s, longer than the 15 s allowed/);
  });

  it("grows with the planned windows' counts added up, not only the largest page", () => {
    const budget = new RunBudget(0, { baseRequests: 5, requestsPerPage: 2 });
    budget.observeCount(250);
    budget.observeTotal(1000);
    expect(budget.maxRequests).toBe(25);
    // A later, smaller total (after a re-plan) does not shrink it.
    budget.observeTotal(300);
    expect(budget.maxRequests).toBe(25);
    for (let i = 0; i < 25; i += 1) budget.spend(0);
    expect(() => budget.spend(0)).toThrow(/more than the 25 allowed .* at most 1000 rooms/);
  });

  it("ignores a count that is not a number", () => {
    const budget = new RunBudget(0);
    budget.observeCount(Number.NaN);
    expect(budget.maxRequests).toBe(500);
  });
});

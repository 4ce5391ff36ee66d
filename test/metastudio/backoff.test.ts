import { describe, expect, it } from "vitest";

import {
  DEFAULT_MAX_RETRY_AFTER_MS,
  capRetryAfter,
  backoffDelay,
  decideRetry,
  parseRetryAfter,
} from "../../src/metastudio/backoff.js";
import { sliceFor } from "../../src/metastudio/rate-limiter.js";

const policy = { baseMs: 200, maxMs: 20_000 };
const top = () => 0.999_999;

describe("backoffDelay", () => {
  it("doubles its cap with every attempt, up to the maximum, and jitters below it", () => {
    expect(backoffDelay(1, policy, top)).toBe(199);
    expect(backoffDelay(3, policy, top)).toBe(799);
    expect(backoffDelay(20, policy, top)).toBe(19_999);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
  });
});

describe("parseRetryAfter", () => {
  const now = new Date("2026-01-01T00:00:00Z");
  it("reads delta-seconds and HTTP dates", () => {
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("0.5", now)).toBe(500);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:10 GMT", now)).toBe(10_000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:59:00 GMT", now)).toBe(0);
  });
  it("ignores what it cannot read, so the client falls back to its own backoff", () => {
    for (const value of [undefined, "", "soon", "12abc", "-1"])
      expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe("decideRetry", () => {
  const state = { attempt: 1, maxAttempts: 3, canRenew: false };
  it("renews a refused token once it can, whatever the attempt", () => {
    const refused = { status: 401, retryable: false, retryAfterMs: undefined };
    expect(decideRetry(refused, { ...state, attempt: 3, canRenew: true }, policy)).toEqual({
      action: "renew",
    });
    expect(decideRetry(refused, state, policy)).toEqual({ action: "give-up" });
  });
  it("gives up on answers and after the last attempt", () => {
    expect(decideRetry({ status: 400, retryable: false, retryAfterMs: undefined }, state, policy)).toEqual({
      action: "give-up",
    });
    const flaky = { status: 503, retryable: true, retryAfterMs: undefined };
    expect(decideRetry(flaky, { ...state, attempt: 3 }, policy)).toEqual({ action: "give-up" });
  });
  it("waits the longer of its backoff and Retry-After, which it caps", () => {
    const throttled = (retryAfterMs: number) => ({ status: 429, retryable: true, retryAfterMs });
    expect(decideRetry(throttled(5000), state, policy, top)).toEqual({ action: "retry", delayMs: 5000 });
    expect(decideRetry(throttled(10), state, policy, top)).toEqual({ action: "retry", delayMs: 199 });
    expect(decideRetry(throttled(3_600_000), state, policy, top)).toEqual({
      action: "retry",
      delayMs: DEFAULT_MAX_RETRY_AFTER_MS,
    });
    expect(decideRetry(throttled(36_000_000), state, { ...policy, maxRetryAfterMs: 2000 }, top)).toEqual({
      action: "retry",
      delayMs: 2000,
    });
  });
  it("caps Retry-After at 60 s by default and says when it did", () => {
    expect(DEFAULT_MAX_RETRY_AFTER_MS).toBe(60_000);
    expect(capRetryAfter(36_000_000, 60_000)).toEqual({ ms: 60_000, capped: true });
    expect(capRetryAfter(5000, 60_000)).toEqual({ ms: 5000, capped: false });
  });
});

describe("sliceFor", () => {
  it("gives each slice of a second its share, so no wall-clock second exceeds the rate", () => {
    expect(sliceFor(8)).toEqual({ sliceMs: 125, points: 1 });
    expect(sliceFor(100)).toEqual({ sliceMs: 100, points: 10 });
    expect(sliceFor(0.5)).toEqual({ sliceMs: 2000, points: 1 });
  });
});

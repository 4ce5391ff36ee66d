import { describe, expect, it } from "vitest";

import type { SyncFailure } from "../../src/queue/classify-sync-failure.js";
import {
  decideFirstRun,
  decideHeldJob,
  decideJobOutcome,
  followsFailedRun,
  type JobKind,
} from "../../src/queue/job-outcome.js";

const scheduledIncremental: JobKind = { mode: "incremental", trigger: "schedule" };
const manualFull: JobKind = { mode: "full", trigger: "manual" };
const OTHERS: JobKind[] = [
  manualFull,
  { mode: "full", trigger: "schedule" },
  { mode: "incremental", trigger: "manual" },
  { mode: "incremental", trigger: "cli" },
];
/** The largest double below 1: Math.random's highest. */
const ALMOST_ONE = 1 - Number.EPSILON / 2;

const context = (random = 0, aborted = false) => ({ aborted, busyRetryMs: 10_000, random: () => random });
const FAILURES: SyncFailure[] = [
  { kind: "busy" },
  { kind: "throttled", retryAfterMs: 30_000 },
  { kind: "unrecoverable", reason: "configuration" },
  { kind: "retry" },
];

describe("what the queue does with a job whose run failed", () => {
  it("skips a scheduled incremental whose project is busy: the running sync covers it", () => {
    const outcome = decideJobOutcome({ kind: "busy" }, scheduledIncremental, context(0.5));
    expect(outcome).toMatchObject({ kind: "skip", reason: "project busy" });
    expect(followsFailedRun(outcome)).toBe(false);
  });

  it.each(OTHERS)("delays any other job of a busy project, by up to a fifth more: %o", (job) => {
    const least = decideJobOutcome({ kind: "busy" }, job, context(0));
    expect(least).toEqual({
      kind: "delay",
      delayMs: 10_000,
      log: {
        level: "info",
        fields: { delay_ms: 10_000 },
        message: "project busy with another sync; trying again later",
      },
    });
    expect(decideJobOutcome({ kind: "busy" }, job, context(0.5))).toMatchObject({ delayMs: 11_000 });
    // Never the full fifth: random() stays below 1.
    expect(decideJobOutcome({ kind: "busy" }, job, context(ALMOST_ONE))).toMatchObject({ delayMs: 11_999 });
    expect(followsFailedRun(least)).toBe(false);
  });

  it("holds the account for as long as the throttling was classified, whatever the job", () => {
    for (const job of [scheduledIncremental, ...OTHERS]) {
      const outcome = decideJobOutcome({ kind: "throttled", retryAfterMs: 42_000 }, job, context(0.5));
      expect(outcome).toEqual({
        kind: "hold",
        holdMs: 42_000,
        log: {
          level: "warn",
          fields: { hold_ms: 42_000 },
          message: "upstream throttling outlasted retries; holding this account's jobs",
        },
      });
      expect(followsFailedRun(outcome)).toBe(true);
    }
  });

  it("fails an unrecoverable one for good, saying why it is not retried", () => {
    const outcome = decideJobOutcome(
      { kind: "unrecoverable", reason: "upstream answered 403" },
      manualFull,
      context(),
    );
    expect(outcome).toEqual({
      kind: "fail",
      unrecoverable: true,
      note: "(not retried: upstream answered 403)",
    });
    expect(followsFailedRun(outcome)).toBe(true);
  });

  it("leaves anything else to the job's attempts and backoff", () => {
    const outcome = decideJobOutcome({ kind: "retry" }, scheduledIncremental, context());
    expect(outcome).toEqual({ kind: "fail", unrecoverable: false });
    expect(followsFailedRun(outcome)).toBe(true);
  });

  it.each(FAILURES)("requeues a run the shutdown aborted, whatever it failed with: %o", (failure) => {
    for (const job of [scheduledIncremental, manualFull]) {
      const outcome = decideJobOutcome(failure, job, context(0.5, true));
      expect(outcome).toEqual({
        kind: "requeue",
        log: { level: "warn", message: "sync aborted by shutdown; the job goes back to the queue" },
      });
      expect(followsFailedRun(outcome)).toBe(true);
    }
  });
});

describe("what the queue does with a job before its run", () => {
  it("delays a job of a held account past the hold, by less than a second more", () => {
    expect(decideHeldJob(5000, () => 0)).toEqual({
      kind: "delay",
      delayMs: 5000,
      log: {
        level: "info",
        fields: { hold_ms: 5000 },
        message: "the project's account is held after upstream throttling; job delayed",
      },
    });
    expect(decideHeldJob(5000, () => ALMOST_ONE)).toMatchObject({ delayMs: 5999 });
    expect(decideHeldJob(1, () => 0)).toMatchObject({ delayMs: 1 });
  });

  it("runs a job whose account is not held", () => {
    expect(decideHeldJob(0, () => 0.5)).toBeUndefined();
    // AccountHolds answers 0 then; a negative (Redis's PTTL for no key) is no hold either.
    expect(decideHeldJob(-2, () => 0.5)).toBeUndefined();
  });

  it("skips a scheduled incremental of a project no run has succeeded for", () => {
    for (const never of [null, undefined]) {
      expect(decideFirstRun(scheduledIncremental, never)).toEqual({
        kind: "skip",
        reason: "awaiting first full",
        log: {
          level: "info",
          message: "no run of this project has succeeded yet; the scheduled full reads it first",
        },
      });
    }
  });

  it("runs a scheduled incremental after a success, and any other job before one", () => {
    expect(decideFirstRun(scheduledIncremental, new Date(0))).toBeUndefined();
    for (const job of OTHERS) expect(decideFirstRun(job, null)).toBeUndefined();
  });
});

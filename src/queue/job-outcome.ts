import type { SyncJob } from "../vocabulary.js";
import type { SyncFailure } from "./classify-sync-failure.js";

/** Why a job completed without a run; its return value says so. */
export type SkipReason = "project busy" | "awaiting first full";

/** The line the processor logs with an outcome, on the job's logger. */
export interface OutcomeLog {
  level: "info" | "warn";
  message: string;
  fields?: Record<string, unknown>;
}

/**
 * What the processor does with a job instead of, or after, its run. None but `fail` spends an
 * attempt:
 * - `skip`: complete it without a run, the reason as its return value;
 * - `delay`: offer it again after `delayMs`;
 * - `hold`: hold the project's account for `holdMs` (its jobs wait, other accounts' run), and
 *   offer the job again then;
 * - `requeue`: back to waiting, for another worker to take;
 * - `fail`: an unrecoverable one fails the job now, its error's description followed by `note`;
 *   any other, the job's attempts and backoff apply.
 */
export type JobOutcome =
  | { kind: "skip"; reason: SkipReason; log: OutcomeLog }
  | { kind: "delay"; delayMs: number; log: OutcomeLog }
  | { kind: "hold"; holdMs: number; log: OutcomeLog }
  | { kind: "requeue"; log: OutcomeLog }
  | { kind: "fail"; unrecoverable: true; note: string }
  | { kind: "fail"; unrecoverable: false };

/** What a job is, as far as the policy cares. */
export type JobKind = Pick<SyncJob, "mode" | "trigger">;

/** What decideJobOutcome knows besides the failure and the job. */
export interface OutcomeContext {
  /** Whether the worker's shutdown aborted the run. */
  aborted: boolean;
  /** Least wait of a job whose project another process is syncing; up to a fifth more is added. */
  busyRetryMs: number;
  /** A number in [0, 1), as Math.random gives. */
  random: () => number;
}

/**
 * A scheduled incremental: the one job another run makes redundant, since the running sync, the
 * scheduled full and the next tick cover what it would read.
 */
export function isScheduledIncremental(job: JobKind): boolean {
  return job.trigger === "schedule" && job.mode === "incremental";
}

/**
 * Before a run, a job of an account still held after upstream throttling: delayed past the hold.
 * Undefined when the account is not held.
 */
export function decideHeldJob(heldMs: number, random: () => number): JobOutcome | undefined {
  if (heldMs <= 0) return undefined;
  return {
    kind: "delay",
    // Up to a second more, so that the jobs held together do not all come back at once.
    delayMs: heldMs + Math.floor(random() * 1000),
    log: {
      level: "info",
      fields: { hold_ms: heldMs },
      message: "the project's account is held after upstream throttling; job delayed",
    },
  };
}

/**
 * Before a run, a scheduled incremental of a project no run has succeeded for: skipped. On a
 * first start the full schedule fires too and reads everything; an incremental beside it would
 * read every room a second time. Undefined when the job runs.
 */
export function decideFirstRun(job: JobKind, lastSuccessAt: Date | null | undefined): JobOutcome | undefined {
  if (!isScheduledIncremental(job) || lastSuccessAt != null) return undefined;
  return {
    kind: "skip",
    reason: "awaiting first full",
    log: {
      level: "info",
      message: "no run of this project has succeeded yet; the scheduled full reads it first",
    },
  };
}

/**
 * After a failed run, what the queue does with its job, given how the failure was classified
 * (classifySyncFailure). A shutdown's abort wins over the failure it caused: the run has
 * checkpointed, and another worker takes over.
 */
export function decideJobOutcome(failure: SyncFailure, job: JobKind, context: OutcomeContext): JobOutcome {
  if (context.aborted) {
    return {
      kind: "requeue",
      log: { level: "warn", message: "sync aborted by shutdown; the job goes back to the queue" },
    };
  }
  switch (failure.kind) {
    case "busy":
      return busyOutcome(job, context);
    case "throttled":
      return {
        kind: "hold",
        holdMs: failure.retryAfterMs,
        log: {
          level: "warn",
          fields: { hold_ms: failure.retryAfterMs },
          message: "upstream throttling outlasted retries; holding this account's jobs",
        },
      };
    case "unrecoverable":
      return { kind: "fail", unrecoverable: true, note: `(not retried: ${failure.reason})` };
    case "retry":
      return { kind: "fail", unrecoverable: false };
  }
}

/**
 * Whether an outcome of decideJobOutcome follows a run that began and failed, which the run
 * recorder counts; a busy project's job never started one.
 */
export function followsFailedRun(outcome: JobOutcome): boolean {
  return outcome.kind !== "skip" && outcome.kind !== "delay";
}

/**
 * A scheduled incremental is redundant with the running sync; anything else (a full, a manual
 * request) still owes its own run, so it waits, jittered so that the jobs that met the same busy
 * project do not all come back together.
 */
function busyOutcome(job: JobKind, context: OutcomeContext): JobOutcome {
  if (isScheduledIncremental(job)) {
    return {
      kind: "skip",
      reason: "project busy",
      log: {
        level: "info",
        message: "project busy with another sync; this scheduled incremental is skipped",
      },
    };
  }
  const delayMs = context.busyRetryMs + Math.floor(context.random() * context.busyRetryMs * 0.2);
  return {
    kind: "delay",
    delayMs,
    log: {
      level: "info",
      fields: { delay_ms: delayMs },
      message: "project busy with another sync; trying again later",
    },
  };
}

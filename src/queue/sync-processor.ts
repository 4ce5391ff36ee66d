import { DelayedError, UnrecoverableError, WaitingError, type Job } from "bullmq";

import { isProjectId } from "../config/parse-project-ids.js";
import { RUN_MODES, RUN_TRIGGERS, type RunMode } from "../vocabulary.js";
import { clippedError, clipToken, describeError } from "../describe-error.js";
import { loadSyncState } from "../db/sync-state.js";
import type { Logger } from "../logger.js";
import { runSync, type RunProgress, type RunSummary, type SyncDeps } from "../sync/run-sync.js";
import { classifySyncFailure } from "./classify-sync-failure.js";
import {
  decideFirstRun,
  decideHeldJob,
  decideJobOutcome,
  followsFailedRun,
  isScheduledIncremental,
  type JobOutcome,
  type SkipReason,
} from "./job-outcome.js";
import type { AccountHolds } from "./account-holds.js";
import type { ProjectClaims } from "./project-claims.js";
import type { SyncJobData } from "./sync-queue.js";

/** Where run outcomes go besides the log; the admin server's metrics implement it. */
export interface RunRecorder {
  recordRun(summary: RunSummary): void;
  recordRunFailure(projectId: string, mode: RunMode, durationMs: number): void;
  /** The upstream clock's offset a run measured. */
  recordClockOffset?(projectId: string, offsetSeconds: number): void;
}

/** A job's return value: the run's summary without the change preview, which is for terminals. */
export type CompletedSync = Omit<RunSummary, "preview">;

/** A job completed without a run (see decideJobOutcome and decideFirstRun). */
export interface SkippedSync {
  projectId: string;
  mode: RunMode;
  skipped: SkipReason;
}

export type SyncJobResult = CompletedSync | SkippedSync;

export interface SyncProcessorOptions {
  /** The run's dependencies around the job's abort signal and progress callback. */
  syncDeps(extra: Pick<SyncDeps, "signal" | "onProgress">): SyncDeps;
  logger: Logger;
  /**
   * The account (its name and Redis key, see accountKey) of a project this worker is configured
   * for; undefined for any other, whose job is handed back or failed without running.
   */
  accountOf(projectId: string): { name: string; key: string } | undefined;
  /** Per-account 429 holds shared by every worker (AccountHolds). */
  holds: Pick<AccountHolds, "hold" | "remainingMs">;
  /** Whether some worker of the queue claims a project (ProjectClaims). */
  claims: Pick<ProjectClaims, "isClaimed">;
  /** Hand-backs of one job before it fails even though a worker claims its project. @default 200 */
  maxHandBacks?: number;
  /** Wait before a handed-back job is offered again. @default 3000 */
  handBackMs?: number;
  recorder?: RunRecorder;
  /** Wait before a job whose project another process is syncing tries again. @default 15000 */
  busyRetryMs?: number;
  /** Least hold of an account after a 429 outlasted the client's retries. @default 30000 */
  throttleHoldMs?: number;
  /** Longest hold of the queue, whatever `Retry-After` asked (METASTUDIO_MAX_RETRY_AFTER_SECONDS). @default 60000 */
  maxThrottleHoldMs?: number;
  /** Least time between two progress updates written to Redis. @default 1000 */
  progressEveryMs?: number;
}

export type SyncProcessor = (
  job: Job<SyncJobData, SyncJobResult>,
  token?: string,
  signal?: AbortSignal,
) => Promise<SyncJobResult>;

/**
 * The BullMQ processor: one `runSync` per job, and what the queue does instead or after, as the
 * policy decides it (see job-outcome). None of the special outcomes burns an attempt: a busy
 * project delays the job, a 429 storm holds the project's account (its jobs wait, other
 * accounts' run), a job for a project another deployment on the queue serves is handed back, a
 * shutdown puts the job back to waiting for another worker; the run row records the interrupted
 * ones as failed, and a full run resumes.
 */
export function createSyncProcessor(options: SyncProcessorOptions): SyncProcessor {
  const busyRetryMs = options.busyRetryMs ?? 15_000;
  const throttleHoldMs = options.throttleHoldMs ?? 30_000;
  const progressEveryMs = options.progressEveryMs ?? 1000;

  return async (job, token, signal) => {
    checkJobData(job.data);
    const { projectId, mode, trigger } = job.data;
    // Job data comes from whoever can write to Redis; credentials only go to configured projects,
    // and the account is this worker's, never the job's.
    const account = options.accountOf(projectId);
    const log = options.logger.child({
      job_id: job.id,
      project_id: projectId,
      mode,
      trigger,
      account: account?.name,
    });
    if (account === undefined) return handBack(job, token, options, log);
    const target: OutcomeTarget = { job, token, log, holds: options.holds, accountKey: account.key };
    const held = decideHeldJob(await options.holds.remainingMs(account.key), Math.random);
    if (held !== undefined) return applyOutcome(held, target);
    const started = performance.now();
    const deps = options.syncDeps({ signal, onProgress: progressReporter(job, progressEveryMs) });
    // The state is read for the one kind of job it can skip.
    if (isScheduledIncremental(job.data)) {
      const state = await loadSyncState(deps.database.db, projectId);
      const first = decideFirstRun(job.data, state?.lastSuccessAt);
      if (first !== undefined) return applyOutcome(first, target);
    }
    try {
      const allowMassDelete = job.data.allowMassDelete === true;
      const summary = await runSync(deps, { projectId, mode, trigger, allowMassDelete });
      options.recorder?.recordRun(summary);
      const { preview: _preview, ...compact } = summary;
      return compact;
    } catch (error) {
      const durationMs = performance.now() - started;
      const failure = classifySyncFailure(error, throttleHoldMs, options.maxThrottleHoldMs);
      const aborted = signal?.aborted === true;
      const outcome = decideJobOutcome(failure, job.data, { aborted, busyRetryMs, random: Math.random });
      if (followsFailedRun(outcome)) {
        options.recorder?.recordRunFailure(projectId, mode, durationMs);
      }
      return applyOutcome(outcome, { ...target, error });
    }
  };
}

/** Where an outcome is carried out: the job, its logger, its account's holds, its run's error. */
interface OutcomeTarget {
  job: Job<SyncJobData, SyncJobResult>;
  token: string | undefined;
  log: Logger;
  holds: Pick<AccountHolds, "hold">;
  accountKey: string;
  error?: unknown;
}

/** An outcome as BullMQ calls and errors, account holds and a log line; only a skip returns. */
async function applyOutcome(outcome: JobOutcome, target: OutcomeTarget): Promise<SkippedSync> {
  const { job, token, log } = target;
  if ("log" in outcome) log[outcome.log.level](outcome.log.fields ?? {}, outcome.log.message);
  switch (outcome.kind) {
    case "skip":
      return { projectId: job.data.projectId, mode: job.data.mode, skipped: outcome.reason };
    case "delay":
      await job.moveToDelayed(Date.now() + outcome.delayMs, token);
      throw new DelayedError();
    case "hold":
      await target.holds.hold(target.accountKey, outcome.holdMs);
      await job.moveToDelayed(Date.now() + outcome.holdMs, token);
      throw new DelayedError();
    case "requeue":
      await job.moveToWait(token);
      throw new WaitingError();
    case "fail":
      if (outcome.unrecoverable) {
        throw new UnrecoverableError(`${describeError(target.error)} ${outcome.note}`);
      }
      // BullMQ stores message and stack as failedReason: bounded, and never a query's parameters.
      throw clippedError(target.error);
  }
}

/** Progress is for people watching: at most one update per `everyMs`, and a lost one is ignored. */
function progressReporter(
  job: Job<SyncJobData, SyncJobResult>,
  everyMs: number,
): (progress: RunProgress) => void {
  let lastAt = 0;
  return (progress) => {
    const now = Date.now();
    if (now - lastAt < everyMs) return;
    lastAt = now;
    // Losing one update must not fail the run.
    job.updateProgress({ ...progress }).catch(() => {});
  };
}

/**
 * A job for a project this worker does not serve: another deployment on the same queue may (it
 * claims the project), so the job goes back, delayed, for one of its workers to take. Bounded,
 * and failed at once when no live worker claims the project.
 */
async function handBack(
  job: Job<SyncJobData, SyncJobResult>,
  token: string | undefined,
  options: SyncProcessorOptions,
  log: Logger,
): Promise<never> {
  const { projectId } = job.data;
  const handBacks = job.data.handBacks ?? 0;
  const max = options.maxHandBacks ?? 200;
  if (handBacks < max && (await options.claims.isClaimed(projectId))) {
    const delay = (options.handBackMs ?? 3000) * (0.5 + Math.random());
    log.debug({ hand_backs: handBacks + 1 }, "job for a project another worker serves; handed back");
    await job.updateData({ ...job.data, handBacks: handBacks + 1 });
    await job.moveToDelayed(Date.now() + Math.round(delay), token);
    throw new DelayedError();
  }
  throw new UnrecoverableError(
    handBacks >= max
      ? `Project ${projectId} was handed back ${handBacks} times by workers not configured for it; the job was not run.`
      : `Project ${projectId} is not configured in any worker of this queue (METASTUDIO_PROJECT_IDS or METASTUDIO_CONFIG); the job was not run.`,
  );
}

const MODES: readonly unknown[] = RUN_MODES;
const TRIGGERS: readonly unknown[] = RUN_TRIGGERS;

/** Job data comes from whoever can write to Redis: checked before anything runs or is recorded. */
function checkJobData(data: SyncJobData): void {
  // Anything JSON can hold may be there, null and arrays included: never destructured unchecked.
  const fields: Partial<Record<keyof SyncJobData, unknown>> =
    typeof data === "object" && data !== null ? data : {};
  const { projectId, mode, trigger, handBacks } = fields;
  // A project ID is also in every log line and message of the job: only one MetaStudio could
  // issue passes, so what reaches failedReason and the log stays bounded and printable.
  const project = typeof projectId === "string" && isProjectId(projectId);
  // A negative or fractional count would let a job be handed back without end.
  const count = handBacks === undefined || (Number.isSafeInteger(handBacks) && (handBacks as number) >= 0);
  if (!project || !MODES.includes(mode) || !TRIGGERS.includes(trigger) || !count) {
    throw new UnrecoverableError(
      `The job's data is not a sync job (project ${clipToken(String(projectId))}, mode ${clipToken(String(mode))}, ` +
        `trigger ${clipToken(String(trigger))}); it was not run.`,
    );
  }
}

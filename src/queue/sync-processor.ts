import { DelayedError, UnrecoverableError, WaitingError, type Job } from "bullmq";

import { isProjectId } from "../config/parse-project-ids.js";
import { RUN_MODES, RUN_TRIGGERS, type RunMode } from "../vocabulary.js";
import { clippedError, clipToken, describeError } from "../describe-error.js";
import { loadSyncState } from "../db/sync-state.js";
import type { Logger } from "../logger.js";
import { runSync, type RunProgress, type RunSummary, type SyncDeps } from "../sync/run-sync.js";
import { classifySyncFailure } from "./classify-sync-failure.js";
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

/** A scheduled incremental job that found its project busy: the running sync covers it. */
export interface SkippedSync {
  projectId: string;
  mode: RunMode;
  skipped: "project busy" | "awaiting first full";
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
 * The BullMQ processor: one `runSync` per job, and the translation of its failures into what the
 * queue should do next (see classifySyncFailure). None of the special outcomes burns an attempt:
 * a busy project delays the job, a 429 storm holds the project's account (its jobs wait, other
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
    const held = await options.holds.remainingMs(account.key);
    if (held > 0) {
      log.info({ hold_ms: held }, "the project's account is held after upstream throttling; job delayed");
      await job.moveToDelayed(Date.now() + held + Math.floor(Math.random() * 1000), token);
      throw new DelayedError();
    }
    let lastProgressAt = 0;
    const onProgress = (progress: RunProgress): void => {
      const now = Date.now();
      if (now - lastProgressAt < progressEveryMs) return;
      lastProgressAt = now;
      // Progress is for people watching; losing one update must not fail the run.
      job.updateProgress({ ...progress }).catch(() => {});
    };
    const started = performance.now();
    const deps = options.syncDeps({ signal, onProgress });
    if (trigger === "schedule" && mode === "incremental") {
      // First start: the full schedule fires too and reads everything; an incremental beside it
      // would read every room a second time.
      const state = await loadSyncState(deps.database.db, projectId);
      if (state?.lastSuccessAt == null) {
        log.info("no run of this project has succeeded yet; the scheduled full reads it first");
        return { projectId, mode, skipped: "awaiting first full" };
      }
    }
    try {
      const summary = await runSync(deps, {
        projectId,
        mode,
        trigger,
        allowMassDelete: job.data.allowMassDelete === true,
      });
      options.recorder?.recordRun(summary);
      const { preview: _preview, ...compact } = summary;
      return compact;
    } catch (error) {
      const durationMs = performance.now() - started;
      if (signal?.aborted) {
        // Shutdown after the grace period: the run has checkpointed; another worker takes over.
        options.recorder?.recordRunFailure(projectId, mode, durationMs);
        log.warn("sync aborted by shutdown; the job goes back to the queue");
        await job.moveToWait(token);
        throw new WaitingError();
      }
      const failure = classifySyncFailure(error, throttleHoldMs, options.maxThrottleHoldMs);
      switch (failure.kind) {
        case "busy": {
          // Nothing ran, so nothing is recorded. A scheduled incremental is redundant with the
          // running sync and the next tick; anything else (a full, a manual request) still owes
          // its own run, so it waits, without an attempt spent on the wait.
          if (trigger === "schedule" && mode === "incremental") {
            log.info("project busy with another sync; this scheduled incremental is skipped");
            return { projectId, mode, skipped: "project busy" };
          }
          const delay = busyRetryMs + Math.floor(Math.random() * busyRetryMs * 0.2);
          log.info({ delay_ms: delay }, "project busy with another sync; trying again later");
          await job.moveToDelayed(Date.now() + delay, token);
          throw new DelayedError();
        }
        case "throttled":
          options.recorder?.recordRunFailure(projectId, mode, durationMs);
          log.warn(
            { hold_ms: failure.retryAfterMs },
            "upstream throttling outlasted retries; holding this account's jobs",
          );
          await options.holds.hold(account.key, failure.retryAfterMs);
          await job.moveToDelayed(Date.now() + failure.retryAfterMs, token);
          throw new DelayedError();
        case "unrecoverable":
          options.recorder?.recordRunFailure(projectId, mode, durationMs);
          throw new UnrecoverableError(`${describeError(error)} (not retried: ${failure.reason})`);
        case "retry":
          options.recorder?.recordRunFailure(projectId, mode, durationMs);
          // BullMQ stores message and stack as failedReason: bounded, and never a query's parameters.
          throw clippedError(error);
      }
    }
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

import { DelayedError, UnrecoverableError, WaitingError, Worker, type Job } from "bullmq";

import type { RunMode } from "../db/schema.js";
import { clippedError, clipToken, describeError } from "../describe-error.js";
import type { Logger } from "../logger.js";
import { runSync, type RunProgress, type RunSummary, type SyncDeps } from "../sync/run-sync.js";
import { classifySyncFailure } from "./classify-sync-failure.js";
import type { SyncJobData } from "./sync-queue.js";

/** Where run outcomes go besides the log; the admin server's metrics implement it. */
export interface RunRecorder {
  recordRun(summary: RunSummary): void;
  recordRunFailure(projectId: string, mode: RunMode, durationMs: number): void;
}

/** A job's return value: the run's summary without the change preview, which is for terminals. */
export type CompletedSync = Omit<RunSummary, "preview">;

/** A scheduled incremental job that found its project busy: the running sync covers it. */
export interface SkippedSync {
  projectId: string;
  mode: RunMode;
  skipped: "project busy";
}

export type SyncJobResult = CompletedSync | SkippedSync;

export interface SyncProcessorOptions {
  /** The run's dependencies around the job's abort signal and progress callback. */
  syncDeps(extra: Pick<SyncDeps, "signal" | "onProgress">): SyncDeps;
  logger: Logger;
  /** The projects this worker is configured for; a job for any other fails without running. */
  projectIds: string[];
  /** Holds every worker of the queue off for `ms`; wired to `worker.rateLimit`. */
  pauseQueue(ms: number): Promise<void>;
  recorder?: RunRecorder;
  /** Wait before a job whose project another process is syncing tries again. @default 15000 */
  busyRetryMs?: number;
  /** Least hold of the queue after a 429 outlasted the client's retries. @default 30000 */
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
 * a busy project delays the job, a 429 storm holds the queue, a shutdown puts the job back to
 * waiting for another worker; the run row records them as failed, and a full run resumes.
 */
export function createSyncProcessor(options: SyncProcessorOptions): SyncProcessor {
  const busyRetryMs = options.busyRetryMs ?? 15_000;
  const throttleHoldMs = options.throttleHoldMs ?? 30_000;
  const progressEveryMs = options.progressEveryMs ?? 1000;

  return async (job, token, signal) => {
    checkJobData(job.data);
    const { projectId, mode, trigger } = job.data;
    const log = options.logger.child({ job_id: job.id, project_id: projectId, mode, trigger });
    // Job data comes from whoever can write to Redis; credentials only go to configured projects.
    if (!options.projectIds.includes(projectId)) {
      throw new UnrecoverableError(
        `Project ${projectId} is not in this worker's METASTUDIO_PROJECT_IDS; the job was not run.`,
      );
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
    try {
      const summary = await runSync(options.syncDeps({ signal, onProgress }), {
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
            "upstream throttling outlasted retries; holding the queue",
          );
          await options.pauseQueue(failure.retryAfterMs);
          throw Worker.RateLimitError();
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

const MODES: readonly unknown[] = ["incremental", "full"];
const TRIGGERS: readonly unknown[] = ["schedule", "manual", "cli"];

/** Job data comes from whoever can write to Redis: checked before anything runs or is recorded. */
function checkJobData(data: SyncJobData): void {
  const { projectId, mode, trigger } = data as Partial<Record<keyof SyncJobData, unknown>>;
  if (typeof projectId !== "string" || !MODES.includes(mode) || !TRIGGERS.includes(trigger)) {
    throw new UnrecoverableError(
      `The job's data is not a sync job (project ${clipToken(String(projectId))}, mode ${clipToken(String(mode))}, ` +
        `trigger ${clipToken(String(trigger))}); it was not run.`,
    );
  }
}

import { hostname } from "node:os";

import { Worker } from "bullmq";
import type { Redis } from "ioredis";

import type { ErrorLogThrottle } from "../log-throttle.js";
import type { Logger } from "../logger.js";
import type { SyncJobResult, SyncProcessor } from "./sync-processor.js";
import { SYNC_QUEUE_NAME, type SyncJobData } from "./sync-queue.js";

export interface SyncWorkerOptions {
  /** Must have `maxRetriesPerRequest: null`, which BullMQ requires of a worker's connection. */
  connection: Redis;
  prefix: string;
  /** Jobs run at once (WORKER_CONCURRENCY). */
  concurrency: number;
  /** @see StartWorkerOptions.lockDurationMs @default 30000 */
  lockDurationMs?: number;
  /** @see StartWorkerOptions.stalledIntervalMs @default 30000 */
  stalledIntervalMs?: number;
  logger: Logger;
  /** Where the worker's errors go, a repeating one counted rather than logged each time. */
  errors: ErrorLogThrottle;
}

/**
 * The BullMQ worker of the sync queue, not started yet (`run()` starts it): created while the
 * rest of the worker opens, so a start that fails has taken no job. Logs its errors, stalled
 * jobs and failed jobs.
 */
export function createSyncWorker(
  processor: SyncProcessor,
  options: SyncWorkerOptions,
): Worker<SyncJobData, SyncJobResult> {
  const { logger } = options;
  const worker = new Worker<SyncJobData, SyncJobResult>(SYNC_QUEUE_NAME, processor, {
    connection: options.connection,
    prefix: options.prefix,
    // Stored on each job as `processedBy`: which replica ran it, on the board and in Redis.
    name: `${hostname()}:${process.pid}`,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    // A deploy can kill a worker mid-run once more than usual; a job that kills every
    // worker that takes it (out of memory) should fail rather than go round forever.
    maxStalledCount: 2,
    // Started once everything else is up: a start that fails must not have taken jobs.
    autorun: false,
  });
  worker.on("error", (error) => options.errors.error(error, "worker error"));
  worker.on("stalled", (jobId) =>
    logger.warn({ job_id: jobId }, "job stalled: its worker died; retaking it"),
  );
  worker.on("failed", (job, error) => {
    if (job) logger.warn({ job_id: job.id, attempts: job.attemptsMade, err: error }, "sync job failed");
  });
  return worker;
}

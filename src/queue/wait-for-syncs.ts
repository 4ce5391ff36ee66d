import { Job, type Queue, type QueueEvents } from "bullmq";

import type { RunProgress } from "../sync/run-sync.js";
import type { SyncJobResult } from "./sync-processor.js";
import type { SyncJobData } from "./sync-queue.js";

export type SyncOutcome =
  | { jobId: string; projectId: string; outcome: "completed"; result: SyncJobResult }
  | { jobId: string; projectId: string; outcome: "failed"; reason: string };

/**
 * Follows jobs to their end: completed (with the run's summary) or finally failed. Retries,
 * busy-project delays and rate-limit holds are not ends; they are waited through. `events` must
 * be listening before the jobs were added or looked up (BullMQ checks for an already finished job
 * once listening, so an end between the add and the wait is not missed).
 */
export async function waitForSyncs(
  queue: Queue<SyncJobData>,
  events: QueueEvents,
  jobs: Array<{ jobId: string; projectId: string }>,
  onProgress?: (progress: RunProgress) => void,
): Promise<SyncOutcome[]> {
  const ids = new Set(jobs.map((j) => j.jobId));
  const progressListener = ({ jobId, data }: { jobId: string; data: unknown }): void => {
    if (ids.has(jobId) && isRunProgress(data)) onProgress?.(data);
  };
  events.on("progress", progressListener);
  // Each waiting job listens for the queue closing; many projects are not a leak.
  queue.setMaxListeners(Math.max(queue.getMaxListeners(), jobs.length + 10));
  try {
    return await Promise.all(
      jobs.map(async ({ jobId, projectId }): Promise<SyncOutcome> => {
        const job = await Job.fromId<SyncJobData, SyncJobResult>(queue, jobId);
        if (!job) {
          // Only retention removes a job, and it keeps the recent ones: this one is long gone.
          return { jobId, projectId, outcome: "failed", reason: "the job is no longer in the queue" };
        }
        try {
          const result = await job.waitUntilFinished(events);
          return { jobId, projectId, outcome: "completed", result };
        } catch (error) {
          return {
            jobId,
            projectId,
            outcome: "failed",
            reason: error instanceof Error ? error.message : String(error),
          };
        }
      }),
    );
  } finally {
    events.off("progress", progressListener);
  }
}

function isRunProgress(data: unknown): data is RunProgress {
  return typeof data === "object" && data !== null && "projectId" in data && "rooms" in data;
}

import type { EnqueuedSync } from "../queue/sync-queue.js";

/** The line `resync` prints for a project it enqueued, or found already queued. */
export function formatEnqueued(sync: EnqueuedSync): string {
  const what = `${sync.mode} sync of ${sync.projectId} (job ${sync.jobId})`;
  return sync.deduplicated ? `already queued: ${what}` : `enqueued: ${what}`;
}

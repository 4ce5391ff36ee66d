import type { JobsOptions } from "bullmq";

import type { RunMode } from "../db/schema.js";

/**
 * Options every sync job gets, scheduled or manual. Retries are for what time can fix (a 5xx
 * storm, a database failover); the processor turns what it cannot fix into UnrecoverableError
 * so those fail at once instead of after the last backoff.
 */
export const SYNC_JOB_OPTIONS = {
  /** Tries per job, the first included. */
  attempts: 5,
  /** 30 s, 1 min, 2 min, 4 min: long enough for an upstream incident to pass, short enough to catch up. */
  backoff: { type: "exponential", delay: 30_000 },
  /** Bounded: a job a day per project for a year is not history Redis should hold; `sync_runs` is. */
  removeOnComplete: { age: 7 * 86_400, count: 1000 },
  /** Kept longer and more of them: a failure is what someone comes to look at. */
  removeOnFail: { age: 30 * 86_400, count: 5000 },
} satisfies JobsOptions;

/**
 * The one key for "a sync of this project in this mode": the deduplication ID of manual jobs and
 * what `enqueueSync` compares scheduled jobs against.
 */
export function syncKey(projectId: string, mode: RunMode): string {
  return `${projectId}:${mode}`;
}

/**
 * The ID of a project's job scheduler for a mode. BullMQ names each scheduled job
 * `repeat:<scheduler ID>:<timestamp>`, which is how `enqueueSync` finds them without loading every
 * job; `:` is avoided in the ID so that name stays unambiguous.
 */
export function schedulerId(projectId: string, mode: RunMode): string {
  return `sync-${mode}-${projectId}`;
}

import { Queue, type ConnectionOptions } from "bullmq";

import type { RunMode, RunTrigger } from "../db/schema.js";

/** The one queue every worker process and `resync` share. */
export const SYNC_QUEUE_NAME = "metastudio-sync";

/**
 * What a sync job carries: which project and how, never a credential. Workers read credentials
 * from their own configuration, so job data in Redis (and on the queue board) is safe to show.
 */
export interface SyncJobData {
  projectId: string;
  mode: RunMode;
  trigger: RunTrigger;
  /** Let a full run mark more than the threshold deleted (manual only). */
  allowMassDelete?: boolean;
  /**
   * The project's account, as the enqueuer knew it: for people reading the board. The worker
   * takes the account (and so the credential) from its own configuration, never from here.
   */
  account?: string;
  /** Times workers that do not know the project handed this job back; bounded. */
  handBacks?: number;
}

export interface SyncQueueOptions {
  connection: ConnectionOptions;
  /**
   * BullMQ key prefix; one per deployment sharing a Redis, and a random one per test file.
   * @default "bull"
   */
  prefix?: string;
}

/** The queue handle for producers (`resync`, `POST /resync`) and schedulers. */
export function createSyncQueue(options: SyncQueueOptions): Queue<SyncJobData> {
  return new Queue<SyncJobData>(SYNC_QUEUE_NAME, {
    connection: options.connection,
    prefix: options.prefix ?? "bull",
  });
}

export interface EnqueuedSync {
  projectId: string;
  mode: RunMode;
  jobId: string;
  /** True when a job for the same project and mode was already waiting or running: nothing added. */
  deduplicated: boolean;
}

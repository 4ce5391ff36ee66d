import type { Queue } from "bullmq";
import type { Redis } from "ioredis";

import type { Database } from "../db/database.js";
import type { HousekeepingRecorder } from "../housekeeping/run-housekeeping.js";
import type { Logger } from "../logger.js";
import type { RequestRecord } from "../metastudio/metastudio-client.js";
import type { RunRecorder } from "../queue/sync-processor.js";
import type { SyncJobData } from "../queue/sync-queue.js";

/** What the worker hands the admin HTTP server (src/http) when it starts one. */
export interface AdminContext {
  queue: Queue<SyncJobData>;
  database: Database;
  redis: Redis;
  projectIds: string[];
  /** Each configured project's account name. */
  accountOf(projectId: string): string | undefined;
  logger: Logger;
}

/**
 * The seam to the admin server and its metrics, which live in src/http: the worker runs (and is
 * tested) without them, and the CLI wires them in.
 */
export interface WorkerObservability {
  /** Run outcomes and every upstream request. */
  recorder?: RunRecorder & { recordRequest?(record: RequestRecord): void } & Partial<HousekeepingRecorder>;
  /** Starts the admin server once the queue and the database are open. */
  startAdmin?(context: AdminContext): Promise<{ url: string; close(): Promise<void> }>;
}

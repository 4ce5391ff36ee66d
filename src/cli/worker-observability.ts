import type { Queue } from "bullmq";

import type { AdminConfig } from "../config/config.js";
import { startAdminServer } from "../http/admin-server.js";
import { createSyncMetrics } from "../http/sync-metrics.js";
import type { WorkerObservability } from "../runtime/worker-observability.js";
import type { SyncJobData } from "../queue/sync-queue.js";

/**
 * The worker's metrics and admin HTTP server (src/http), built around its queue: the metrics
 * record every upstream request and run outcome, the server serves them with the probes,
 * `POST /resync` and the queue board.
 */
export function workerObservability(admin: AdminConfig): (queue: Queue<SyncJobData>) => WorkerObservability {
  return (queue) => {
    const metrics = createSyncMetrics({ queue });
    return {
      recorder: metrics,
      startAdmin: (context) => startAdminServer({ ...context, config: admin, metrics }),
    };
  };
}

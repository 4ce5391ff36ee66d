/**
 * One worker process for the worker drills: `startWorker`, as `metastudio-sync worker` runs it,
 * configured from the environment the drill passes, but with short job locks so a killed
 * worker's job is retaken in seconds rather than the production 30 s, and no schedules, so the
 * only jobs are the drill's. Tells its parent when it is ready; SIGTERM closes it cleanly.
 */
import { loadConfig } from "../../src/config/config.js";
import { createLogger } from "../../src/logger.js";
import { readQueuePrefix } from "../../src/queue/queue-prefix.js";
import { startWorker } from "../../src/runtime/start-worker.js";

const config = loadConfig(process.env);
const logger = createLogger(config.logLevel);
const running = await startWorker({
  config,
  logger,
  prefix: readQueuePrefix(process.env),
  schedule: false,
  lockDurationMs: 4000,
  stalledIntervalMs: 1000,
  busyRetryMs: 1000,
  shutdownTimeoutMs: 2000,
});
process.send?.({ type: "ready" });
process.once("SIGTERM", () => {
  running
    .close()
    .catch((error: unknown) => logger.error({ err: error }, "worker did not close cleanly"))
    .finally(() => process.exit(0));
});

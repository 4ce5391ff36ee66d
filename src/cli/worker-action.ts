import { ConfigError } from "../config/config-error.js";
import { loadConfig } from "../config/config.js";
import { assertAdminBinding } from "../http/assert-admin-binding.js";
import { resolveLogFormat } from "../log-format.js";
import { createLogger } from "../logger.js";
import { readQueuePrefix, requireRedisUrl } from "../queue/queue-prefix.js";
import { serveUntilSignal } from "../runtime/serve-until-signal.js";
import { startWorker } from "../runtime/start-worker.js";
import { workerObservability } from "./worker-observability.js";

export interface WorkerOptions {
  shutdownTimeout: number;
  allowEmbedded: boolean;
}

/** `worker`: runs the sync queue's worker (and its HTTP endpoints) until a signal stops it. */
export async function workerAction(options: WorkerOptions): Promise<void> {
  const config = loadConfig(process.env);
  requireRedisUrl(config.redisUrl, "worker");
  // A service that scales to several processes, beside CLI syncs, on a store only one process may
  // open: refused unless asked for, rather than found out when the second one is refused.
  if (config.databaseUrl === undefined && !options.allowEmbedded) {
    throw new ConfigError(
      "worker needs DATABASE_URL: without it, it would use the embedded database in " +
        "METASTUDIO_SYNC_DATA_DIR, which only one process at a time may open. Set DATABASE_URL, or " +
        "pass --allow-embedded to run this one worker on the embedded database.",
    );
  }
  // Before anything is opened or scheduled: a refused binding should change nothing in Redis.
  assertAdminBinding(config.admin);
  const prefix = readQueuePrefix(process.env);
  // A service's logs are for machines: JSON even on a terminal, unless LOG_FORMAT=pretty.
  const logger = createLogger(config.logLevel, undefined, { format: resolveLogFormat(process.env, false) });
  const running = await startWorker({
    config,
    logger,
    prefix,
    shutdownTimeoutMs: options.shutdownTimeout * 1000,
    observability: workerObservability(config.admin),
  });
  await serveUntilSignal(running, logger);
  logger.flush();
}

import { InvalidArgumentError, type Command } from "commander";

import { ConfigError } from "../config/config-error.js";
import { loadConfig } from "../config/config.js";
import { assertAdminBinding } from "../http/assert-admin-binding.js";
import { resolveLogFormat } from "../log-format.js";
import { createLogger } from "../logger.js";
import { readQueuePrefix, requireRedisUrl } from "../queue/queue-prefix.js";
import { ENV_HELP } from "./env-help.js";

export function registerWorkerCommand(program: Command): void {
  program
    .command("worker")
    .description(
      "the long-running service: schedules every configured project, processes sync jobs from Redis, " +
        "serves the admin HTTP API; stops cleanly on SIGTERM or SIGINT",
    )
    .option(
      "--shutdown-timeout <seconds>",
      "on SIGTERM, how long running syncs may finish before they are aborted and handed back",
      seconds("--shutdown-timeout"),
      25,
    )
    .option(
      "--allow-embedded",
      "run on the embedded database when DATABASE_URL is unset (one process only: no second worker, " +
        "no sync beside it)",
      false,
    )
    .addHelpText("after", ENV_HELP.worker)
    .action((options: WorkerOptions) => workerCommand(options));
}

interface WorkerOptions {
  shutdownTimeout: number;
  allowEmbedded: boolean;
}

async function workerCommand(options: WorkerOptions): Promise<void> {
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
  // Loaded here, not at the top: every command shares main.js, and `sync` has no use for these.
  const [{ serveUntilSignal }, { startWorker }, { workerObservability }] = await Promise.all([
    import("../queue/serve-until-signal.js"),
    import("../queue/start-worker.js"),
    import("./worker-observability.js"),
  ]);
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

function seconds(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0 || n > 3600) {
      throw new InvalidArgumentError(`${flag} must be a number of seconds from 0 to 3600.`);
    }
    return n;
  };
}

import { InvalidArgumentError, type Command } from "commander";

import { loadConfig } from "../config/config.js";
import { assertAdminBinding } from "../http/assert-admin-binding.js";
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
    .addHelpText("after", ENV_HELP.worker)
    .action((options: { shutdownTimeout: number }) => workerCommand(options));
}

async function workerCommand(options: { shutdownTimeout: number }): Promise<void> {
  const config = loadConfig(process.env);
  requireRedisUrl(config.redisUrl, "worker");
  // Before anything is opened or scheduled: a refused binding should change nothing in Redis.
  assertAdminBinding(config.admin);
  const prefix = readQueuePrefix(process.env);
  const logger = createLogger(config.logLevel);
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

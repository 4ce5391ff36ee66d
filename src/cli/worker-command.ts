import { InvalidArgumentError, type Command } from "commander";

import { ENV_HELP } from "./env-help.js";
import { lazyAction } from "./lazy-action.js";

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
    .action(lazyAction(async () => (await import("./worker-action.js")).workerAction));
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

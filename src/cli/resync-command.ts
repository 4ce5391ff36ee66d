import type { Command } from "commander";

import { ENV_HELP } from "./env-help.js";
import { lazyAction } from "./lazy-action.js";
import { collect } from "./sync-command.js";

export function registerResyncCommand(program: Command): void {
  program
    .command("resync")
    .description("enqueue a sync for the worker now, for the projects named or all of them")
    .option("--project <id>", "enqueue this project (repeatable)", collect, [])
    .option("--all", "enqueue every project in METASTUDIO_PROJECT_IDS", false)
    .option("--full", "a full run, which also finds deletions; incremental otherwise", false)
    .option(
      "--allow-mass-delete",
      "let the full run mark more than SYNC_MASS_DELETE_THRESHOLD of the rooms deleted",
      false,
    )
    .option(
      "--wait",
      "follow the jobs to their end and print each run's summary; exit 1 if any failed",
      false,
    )
    .addHelpText("after", ENV_HELP.resync)
    .action(lazyAction(async () => (await import("./resync-action.js")).resyncAction));
}

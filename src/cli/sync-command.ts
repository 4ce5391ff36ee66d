import type { Command } from "commander";

import { ENV_HELP } from "./env-help.js";
import { lazyAction } from "./lazy-action.js";

export function registerSyncCommand(program: Command): void {
  program
    .command("sync")
    .description("run one sync in this process (no Redis needed): every configured project, or those named")
    .option(
      "--project <id>",
      "sync only this project (repeatable); must be a configured project",
      collect,
      [],
    )
    .option(
      "--full",
      "read the whole list and mark rooms no longer listed as deleted; incremental otherwise",
      false,
    )
    .option("--dry-run", "fetch and diff, write nothing, print what would change", false)
    .option(
      "--allow-mass-delete",
      "let a full run mark more than SYNC_MASS_DELETE_THRESHOLD of the rooms deleted",
      false,
    )
    .option(
      "--json",
      "print the runs as JSON on stdout: summaries, and failures with their error and run ID",
      false,
    )
    .addHelpText("after", ENV_HELP.sync)
    .action(lazyAction(async () => (await import("./sync-action.js")).syncAction));
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

import type { Command } from "commander";

import { CHANGES_CHANNEL } from "../vocabulary.js";
import { ENV_HELP } from "./env-help.js";
import { lazyAction } from "./lazy-action.js";
import { collect } from "./sync-command.js";

export function registerChangesCommand(program: Command): void {
  program
    .command("changes")
    .description(
      "the change feed: recorded changes in commit order, each with a cursor; --since resumes after one without skipping or repeating",
    )
    .option("--project <id>", "only this project's changes (repeatable)", collect, [])
    .option("--since <cursor>", "start after this cursor (printed with every change); default: the beginning")
    .option(
      "--follow",
      `keep running and print changes as they commit (woken by NOTIFY ${CHANGES_CHANNEL})`,
      false,
    )
    .option("--json", "one JSON object per line (NDJSON) instead of text", false)
    .addHelpText("after", ENV_HELP.changes)
    .action(lazyAction(async () => (await import("./changes-action.js")).changesAction));
}

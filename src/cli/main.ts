#!/usr/bin/env node
import { readFileSync } from "node:fs";

import { Command } from "commander";

import { reportError } from "./exit-codes.js";
import { registerMigrateCommand } from "./migrate-command.js";
import { registerResyncCommand } from "./resync-command.js";
import { registerServeDbCommand } from "./serve-db-command.js";
import { registerSimulatorCommand } from "./simulator-command.js";
import { registerStatusCommand } from "./status-command.js";
import { registerSyncCommand } from "./sync-command.js";
import { registerWorkerCommand } from "./worker-command.js";

const program = new Command("metastudio-sync")
  .description("Keeps a Postgres mirror of Huawei Cloud MetaStudio interactive dialogs (smart chat rooms).")
  // src/cli and dist/cli both sit two levels below package.json.
  .version(
    (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string })
      .version,
  )
  .option("--verbose", "print stacks and causes of errors", false)
  .showHelpAfterError("(run with --help for usage)")
  .exitOverride();

registerSyncCommand(program);
registerWorkerCommand(program);
registerResyncCommand(program);
registerMigrateCommand(program);
registerStatusCommand(program);
registerServeDbCommand(program);
registerSimulatorCommand(program);
for (const command of program.commands) command.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const verbose = program.opts<{ verbose: boolean }>().verbose || process.env.LOG_LEVEL === "debug";
  process.exitCode = reportError(error, verbose);
}

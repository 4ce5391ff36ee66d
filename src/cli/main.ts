#!/usr/bin/env -S node --expose-gc --max-semi-space-size=8 --max-old-space-size=1024 --initial-old-space-size=40
// The flags above bound the heap of the installed `metastudio-sync` command without asking users
// for flags. Not for its ceiling (the sync's live heap is ~30 MB) but because V8 sizes its heap
// growth by it: under 2 GB it collects the old generation before doubling it, so a 100k-room full
// sync peaks at ~140 MB instead of ~220 MB; the smaller young generation saves the rest. An 8 MB
// semi-space (it was 2, then 4) costs ~10 MB of peak RSS and saves CPU: each doubling halves the
// scavenges, which copy the rooms waiting in batches (README, Memory by default). The 40 MB start
// of the old generation costs ~6 MB and halves the mark-compacts: after each, V8 set the next
// limit at about twice a ~16 MB live heap, and a full sync ran one every 0.2 s. 1024
// leaves room for a worker running many syncs at once. `node dist/bin/metastudio-sync.js` runs
// without them (the Dockerfile passes them itself); a shebang costs nothing at start-up, a re-exec
// would cost a second Node process. bench/run-cli.ts reads them from here, so the bench runs what
// users run.
// --expose-gc lets the creation of an embedded database hand back initdb's ~300 MB at once
// (src/db/create-embedded-cluster.ts); nothing else calls gc.
import { readFileSync } from "node:fs";

import { Command } from "commander";

import { compileWasmBaselineOnly } from "./baseline-wasm.js";
import { registerChangesCommand } from "./changes-command.js";
import { EXIT_FAILED, reportError } from "./exit-codes.js";
import { registerMigrateCommand } from "./migrate-command.js";
import { registerResyncCommand } from "./resync-command.js";
import { registerServeDbCommand } from "./serve-db-command.js";
import { registerSimulatorCommand } from "./simulator-command.js";
import { registerStatusCommand } from "./status-command.js";
import { registerSyncCommand } from "./sync-command.js";
import { registerWorkerCommand } from "./worker-command.js";

compileWasmBaselineOnly();

// `metastudio-sync changes | head`, `--help | head`: once the reader has gone, there is no one left
// to tell anything, so stop quietly, as Unix tools do, instead of crashing with a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit();
});
// `sync 2>&1 | head`: the same once stderr's reader has gone, where the logs go. Left unhandled, the
// EPIPE crashed the process with a stack trace nobody could read. Logs are written all through the
// work, so losing their reader cuts it short: a failure, unless the command already said otherwise.
process.stderr.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(process.exitCode ?? EXIT_FAILED);
});

const program = new Command("metastudio-sync")
  .description("Keeps a Postgres mirror of Huawei Cloud MetaStudio interactive dialogs (smart chat rooms).")
  // src/cli and dist/bin (the bundle, scripts/bundle-cli.ts) both sit two levels below package.json.
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
registerChangesCommand(program);
for (const command of program.commands) command.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const verbose = program.opts<{ verbose: boolean }>().verbose || process.env.LOG_LEVEL === "debug";
  process.exitCode = reportError(error, verbose);
}

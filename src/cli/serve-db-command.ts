import { InvalidArgumentError, type Command } from "commander";

import { lazyAction } from "./lazy-action.js";

export function registerServeDbCommand(program: Command): void {
  program
    .command("serve-db")
    .description(
      "serve the embedded database over the Postgres protocol, so psql and other clients can query " +
        "the mirror; runs until Ctrl-C (no sync may run on the directory meanwhile)",
    )
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option("--port <n>", "port to listen on", port, 5439)
    .addHelpText(
      "after",
      `
Environment:
  METASTUDIO_SYNC_DATA_DIR   embedded database directory (default ./.metastudio-sync/pgdata)
  DATABASE_URL               must be unset: with Postgres, connect psql to it directly`,
    )
    .action(lazyAction(async () => (await import("./serve-db-action.js")).serveDbAction));
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new InvalidArgumentError("--port must be a whole number from 1 to 65535.");
  }
  return n;
}

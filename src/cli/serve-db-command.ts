import { InvalidArgumentError, type Command } from "commander";

import { ConfigError } from "../config/config-error.js";
import { loadConfig } from "../config/config.js";
import { openDatabase } from "../db/database.js";
import { migrate } from "../db/migrate.js";
import { printWarning } from "./print-warning.js";

interface ServeDbOptions {
  host: string;
  port: number;
}

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
    .action((options: ServeDbOptions) => serveDbCommand(options));
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new InvalidArgumentError("--port must be a whole number from 1 to 65535.");
  }
  return n;
}

/**
 * The embedded database is PGlite inside this process; pglite-socket speaks the Postgres wire
 * protocol for it. The directory lock is held throughout, so a `sync` started meanwhile is refused
 * instead of opening the same files.
 */
async function serveDbCommand(options: ServeDbOptions): Promise<void> {
  const config = loadConfig(process.env, { metastudio: false });
  if (config.databaseUrl !== undefined) {
    throw new ConfigError(
      "serve-db serves the embedded database, but DATABASE_URL is set: query that Postgres with psql directly.",
    );
  }
  const database = await openDatabase({ ...config, onWarning: printWarning });
  if (database.kind !== "embedded") throw new Error("expected the embedded database");
  try {
    await migrate(database);
    const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
    // Queries from several connections are queued onto the one PGlite session.
    const server = new PGLiteSocketServer({
      db: database.client,
      host: options.host,
      port: options.port,
      maxConnections: 8,
    });
    await server.start();
    const host = options.host.includes(":") ? `[${options.host}]` : options.host;
    process.stderr.write(
      `Serving the embedded database at ${database.location}\n` +
        `  psql "postgresql://postgres@${host}:${options.port}/postgres"\n` +
        "Ctrl-C to stop.\n",
    );
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await server.stop();
  } finally {
    await database.close();
  }
}

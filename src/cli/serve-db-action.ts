import { ConfigError } from "../config/config-error.js";
import { loadConfig } from "../config/config.js";
import { openDatabase } from "../db/open-database.js";
import { migrate } from "../db/migrate.js";
import { printWarning } from "./print-warning.js";

export interface ServeDbOptions {
  host: string;
  port: number;
}

/**
 * The embedded database is PGlite inside this process; pglite-socket speaks the Postgres wire
 * protocol for it. The directory lock is held throughout, so a `sync` started meanwhile is refused
 * instead of opening the same files.
 */
export async function serveDbAction(options: ServeDbOptions): Promise<void> {
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

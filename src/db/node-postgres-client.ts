import pg from "pg";

import type { Db } from "./database.js";

/**
 * The node-postgres pool or client under a Drizzle handle, or undefined under PGlite (the
 * embedded database). For the few places where the driver's own features pay: binary parameters
 * and named statements.
 */
export function nodePostgresClient(db: Db): pg.Pool | pg.Client | undefined {
  const client = (db as { $client?: unknown }).$client;
  return client instanceof pg.Pool || client instanceof pg.Client ? client : undefined;
}

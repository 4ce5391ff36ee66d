import pg from "pg";

import type { Db } from "./database.js";

/**
 * A jsonb parameter built in jsonb's binary input format (a version byte, then the JSON text),
 * as the driver takes it. node-postgres sends a Buffer as a binary parameter, byte for byte, so
 * Postgres reads the text without node ever making it a string. PGlite (the embedded database)
 * would send a Buffer as bytea, so it gets the text.
 */
export function jsonbParameter(db: Db, binary: Buffer): Buffer | string {
  const client = (db as { $client?: unknown }).$client;
  return client instanceof pg.Pool || client instanceof pg.Client ? binary : binary.toString("utf8", 1);
}

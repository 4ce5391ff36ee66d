import type { Db } from "./database.js";
import { nodePostgresClient } from "./node-postgres-client.js";

/**
 * A jsonb parameter built in jsonb's binary input format (a version byte, then the JSON text),
 * as the driver takes it. node-postgres sends a Buffer as a binary parameter, byte for byte, so
 * Postgres reads the text without node ever making it a string. PGlite (the embedded database)
 * would send a Buffer as bytea, so it gets the text.
 */
export function jsonbParameter(db: Db, binary: Buffer): Buffer | string {
  return nodePostgresClient(db) ? binary : binary.toString("utf8", 1);
}

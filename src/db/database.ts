import type { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type pg from "pg";

import { openEmbeddedDatabase } from "./open-embedded-database.js";
import { openPostgresDatabase } from "./open-postgres-database.js";
import type * as schema from "./schema.js";
import type { PoolFacts } from "./too-many-connections.js";

export type Schema = typeof schema;
/** The Drizzle handle every write takes first: node-postgres and PGlite both satisfy it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A Drizzle transaction, which is also a Db for the write functions. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export type Database = PostgresDatabase | EmbeddedDatabase;

interface DatabaseBase {
  db: Db;
  /** Where the data lives, for messages: the host and database, or the embedded directory. */
  location: string;
  close(): Promise<void>;
}

export interface PostgresDatabase extends DatabaseBase {
  kind: "postgres";
  pool: pg.Pool;
  /** The pool's size and the server's limits once read, which a refused connection names. */
  connections: PoolFacts;
}

export interface EmbeddedDatabase extends DatabaseBase {
  kind: "embedded";
  client: PGlite;
}

export interface OpenDatabaseOptions {
  /** Postgres to open; undefined for the embedded database. */
  databaseUrl: string | undefined;
  /** Where the embedded database is kept, when there is no `databaseUrl`. */
  embeddedDataDir: string;
  /** Connections in the Postgres pool. @default 10 */
  poolSize?: number;
  /** Told when a new embedded database cannot be copied from the cluster template. @default warnings are dropped */
  onWarning?: (message: string) => void;
}

/**
 * Opens Postgres at `databaseUrl`, or, with none, the embedded database (PGlite, Postgres
 * compiled to WebAssembly) kept on disk in `embeddedDataDir`: same schema, same migrations.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl !== undefined) {
    return openPostgresDatabase(options.databaseUrl, options.poolSize ?? 10);
  }
  return openEmbeddedDatabase(options.embeddedDataDir, options.onWarning);
}

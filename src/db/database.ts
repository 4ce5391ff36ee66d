import type { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type pg from "pg";

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

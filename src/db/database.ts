import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

import type { PGlite } from "@electric-sql/pglite";
import type { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import pg from "pg";

import { databaseTarget, describeTarget } from "../config/database-url.js";
import { PostgresClient } from "./postgres-client.js";
import * as schema from "./schema.js";

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
}

export interface EmbeddedDatabase extends DatabaseBase {
  kind: "embedded";
  client: PGlite;
}

/**
 * Opens Postgres at `databaseUrl`, or, with none, the embedded database (PGlite, Postgres
 * compiled to WebAssembly) kept on disk in `embeddedDataDir`: same schema, same migrations.
 */
export async function openDatabase(options: {
  databaseUrl: string | undefined;
  embeddedDataDir: string;
  /** @default 10 */
  poolSize?: number;
  /** Told when a new embedded database cannot be copied from the cluster template. */
  onWarning?: (message: string) => void;
}): Promise<Database> {
  if (options.databaseUrl !== undefined) {
    const { drizzle } = await import("drizzle-orm/node-postgres");
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      application_name: "metastudio-sync",
      // Closes the socket of a connect that failed on our side (see PostgresClient).
      Client: PostgresClient,
    });
    // An idle client's error (Postgres restarted) must not crash the process; the next query fails
    // and the run that issued it fails and retries.
    pool.on("error", () => {});
    // A checked-out client (the project lock's, a transaction's) has no pool listener, and
    // node-postgres emits 'error' on it when the server goes away: unhandled, that crashed the
    // process. The query in flight, or the client's next one, fails anyway and carries the error.
    pool.on("connect", (client) => client.on("error", () => {}));
    const { poolTransaction } = await import("./pool-transaction.js");
    const db = drizzle(pool, { schema }) as unknown as Db;
    db.transaction = poolTransaction(pool, schema);
    return {
      db,
      kind: "postgres",
      pool,
      location: describeTarget(databaseTarget(options.databaseUrl)),
      close: () => pool.end(),
    };
  }
  const dir = resolve(options.embeddedDataDir);
  mkdirSync(dir, { recursive: true });
  // Before loading PGlite (seconds on a busy machine): a second process is refused at once.
  const { lockDataDir } = await import("./data-dir-lock.js");
  const release = lockDataDir(dir);
  let client: PGlite;
  let drizzle: typeof drizzlePglite;
  try {
    const { PGlite } = await import("@electric-sql/pglite");
    ({ drizzle } = await import("drizzle-orm/pglite"));
    if (!existsSync(join(dir, "PG_VERSION"))) {
      const { createEmbeddedCluster } = await import("./create-embedded-cluster.js");
      const { clusterTemplatePath } = await import("./cluster-template.js");
      await createEmbeddedCluster(dir, clusterTemplatePath(), options.onWarning);
    }
    client = await PGlite.create(dir);
  } catch (error) {
    release();
    throw error;
  }
  return {
    db: drizzle(client, { schema }) as unknown as Db,
    kind: "embedded",
    client,
    location: dir,
    close: async () => {
      try {
        await client.close();
      } finally {
        release();
      }
    },
  };
}

import pg from "pg";

import { databaseTarget, describeTarget } from "../config/database-url.js";
import type { Db, PostgresDatabase } from "./database.js";
import { poolClient } from "./postgres-client.js";
import * as schema from "./schema.js";
import type { PoolFacts } from "./too-many-connections.js";

/** A pool of `poolSize` connections to the Postgres at `databaseUrl`, for openDatabase. */
export async function openPostgresDatabase(databaseUrl: string, poolSize: number): Promise<PostgresDatabase> {
  const { drizzle } = await import("drizzle-orm/node-postgres");
  const connections: PoolFacts = { max: poolSize };
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: poolSize,
    application_name: "metastudio-sync",
    // Closes the socket of a connect that failed on our side, and explains refusals (see PostgresClient).
    Client: poolClient(connections),
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
    connections,
    location: describeTarget(databaseTarget(databaseUrl)),
    close: () => pool.end(),
  };
}

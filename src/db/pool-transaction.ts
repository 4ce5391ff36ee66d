import { drizzle } from "drizzle-orm/node-postgres";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type pg from "pg";

import type * as schema from "./schema.js";

/** database.ts's `Db["transaction"]`, spelled out here: database.ts imports this file. */
type Transaction = PgDatabase<PgQueryResultHKT, typeof schema>["transaction"];

/**
 * `db.transaction` for a node-postgres pool that always gives the client back.
 *
 * drizzle-orm 0.45's own runs `BEGIN` before the try/finally that releases the pooled client
 * (drizzle-team/drizzle-orm#6023, #6241): when Postgres restarts, the `BEGIN` of the next batch
 * fails on a dead connection and that client is never released. Each such failure costs one pool
 * slot for the life of the process, so a worker ends up waiting forever for a connection, and
 * `pool.end()` never resolves. Here drizzle runs the transaction on a client we checked out
 * ourselves (a plain client, which drizzle does not release), and we release it in every case:
 * destroyed after any failure, since a failed transaction's connection may be dead or mid-rollback.
 */
export function poolTransaction(pool: pg.Pool, tables: typeof schema): Transaction {
  return (async (work: Parameters<Transaction>[0], config?: Parameters<Transaction>[1]) => {
    const client = await pool.connect();
    let failure: Error | undefined;
    try {
      return await drizzle(client, { schema: tables }).transaction(work, config);
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      client.release(failure);
    }
  }) as Transaction;
}

import type { SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";

import type { Db } from "./database.js";
import { nodePostgresClient } from "./node-postgres-client.js";

/**
 * Runs raw SQL and returns its rows. node-postgres and PGlite both answer `{ rows }`, but the
 * driver-neutral Db type cannot say so, hence the one cast here rather than at every call.
 */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return (result as { rows: T[] }).rows;
}

/** The single integer a `select count(*)::int as n` style query returns. */
export async function queryCount(db: Db, query: SQL): Promise<number> {
  const [row] = await queryRows<{ n: number | string }>(db, query);
  return Number(row?.n ?? 0);
}

const dialect = new PgDialect();

/**
 * `queryRows` for a statement run many times a run (a batch's read and its write): node-postgres
 * prepares it once per connection under `name`, and Postgres parses it once and soon plans it
 * once, where an unnamed statement is parsed and planned on every call. `name` must be unique to
 * the statement's text. Under PGlite it runs as `queryRows`.
 */
export async function queryPrepared<T>(db: Db, name: string, query: SQL): Promise<T[]> {
  const client = nodePostgresClient(db);
  if (!client) return queryRows<T>(db, query);
  const { sql: text, params } = dialect.sqlToQuery(query);
  const result = await client.query({ name, text, values: params });
  return result.rows as T[];
}

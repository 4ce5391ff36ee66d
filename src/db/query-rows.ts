import type { SQL } from "drizzle-orm";

import type { Db } from "./database.js";

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

import type { Db } from "./database.js";
import { syncRequests } from "./schema.js";

export type RequestRow = typeof syncRequests.$inferInsert;

/** One multi-row insert for a batch of upstream attempts. */
export async function insertRequests(db: Db, rows: RequestRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insert(syncRequests).values(rows);
}

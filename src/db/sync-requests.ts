import type { Db } from "./database.js";
import { insertJsonRows } from "./insert-json-rows.js";
import { syncRequests } from "./schema.js";

export type RequestRow = typeof syncRequests.$inferInsert;

/** One multi-row insert for a batch of upstream attempts. */
export async function insertRequests(db: Db, rows: RequestRow[]): Promise<void> {
  await insertJsonRows(db, syncRequests, rows);
}

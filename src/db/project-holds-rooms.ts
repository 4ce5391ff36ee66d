import { sql } from "drizzle-orm";

import type { Db } from "./database.js";
import { queryRows } from "./query-rows.js";

/** Whether the mirror holds any row of the project's rooms, deleted ones included. */
export async function projectHoldsRooms(db: Db, projectId: string): Promise<boolean> {
  const [row] = await queryRows<{ holds: boolean }>(
    db,
    sql`select exists (select 1 from smart_chat_rooms where project_id = ${projectId}) as holds`,
  );
  return row?.holds ?? true;
}

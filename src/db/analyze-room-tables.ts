import { sql } from "drizzle-orm";

import type { Db } from "./database.js";

/**
 * Refreshes the planner's statistics of the room tables. A table never analyzed is planned from
 * guesses; the writer's joins against it (the decision read, the rewrite of voice configs, the
 * deletion check) were once planned as sequential scans over every room written so far (a
 * foreign-key check, since dropped, made a first sync of 100,000 rooms take 70 s instead of 20 s
 * until autovacuum came by). Once analyzed, the planner scales the row count it learned by the
 * table's current size, so one ANALYZE early in a first sync is enough.
 */
export async function analyzeRoomTables(db: Db): Promise<void> {
  await db.execute(sql`analyze smart_chat_rooms, smart_chat_room_voice_configs`);
}

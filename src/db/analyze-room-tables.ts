import { sql } from "drizzle-orm";

import type { Db } from "./database.js";

/**
 * Refreshes the planner's statistics of the room tables. Postgres caches the plan of each
 * foreign-key check per connection, made when the connection first inserts a voice config: on a
 * table that was nearly empty then, that plan is a sequential scan, and it stays one until the
 * table is next analyzed. A first sync of a large project into a fresh database then checks each
 * voice config against every room written so far (measured: 70 s instead of 20 s for 100,000
 * rooms, until autovacuum's ANALYZE happened to come by). Analyzing as the table grows replans
 * those checks as index lookups.
 */
export async function analyzeRoomTables(db: Db): Promise<void> {
  await db.execute(sql`analyze smart_chat_rooms, smart_chat_room_voice_configs`);
}

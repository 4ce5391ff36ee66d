import { sql } from "drizzle-orm";

import type { Db } from "../db/database.js";
import { queryRows } from "../db/query-rows.js";
import type { FilterField } from "../vocabulary.js";
import type { ListPage } from "../metastudio/metastudio-client.js";
import { filterEvidence } from "./filter-evidence.js";
import { toSeconds, type TimeWindow } from "./time-window.js";

/**
 * Asks the upstream what `start_time`/`end_time` filter on, with one request, before an
 * incremental run trusts a narrow window. A room we mirror whose `update_time` is well after its
 * `create_time` is looked up by a three-second window around its `update_time`: filtered on
 * `update_time`, it comes back and says so; on `create_time`, what comes back (if anything) says
 * that. Null when there is no such room yet or the answer says nothing, and the caller then
 * reads wide, which is slower but cannot miss an update.
 */
export async function probeFilterField(
  db: Db,
  projectId: string,
  fetchPage: (window: TimeWindow) => Promise<ListPage>,
): Promise<FilterField | null> {
  const [candidate] = await queryRows<{ update_time: Date | string }>(
    db,
    sql`select update_time from smart_chat_rooms
         where project_id = ${projectId} and deleted_at is null
           and update_time > create_time + interval '10 seconds'
         order by update_time desc limit 1`,
  );
  if (!candidate) return null;
  const updated = toSeconds(new Date(candidate.update_time));
  const window = { start: updated - 1, end: updated + 1 };
  const page = await fetchPage(window);
  return filterEvidence(window, page.rooms);
}

import { sql } from "drizzle-orm";

import type { Db } from "../db/database.js";
import { queryRows } from "../db/query-rows.js";
import type { FilterField } from "../vocabulary.js";
import type { ListPage } from "../metastudio/metastudio-client.js";
import { filterEvidence, type TimedItem } from "./filter-evidence.js";
import { toSeconds, type TimeWindow } from "./time-window.js";

/** How long after its creation a room must have been updated to tell the two fields apart (as in the query). */
const EDITED_AFTER_SECONDS = 10;

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
  return probeAround(toSeconds(new Date(candidate.update_time)), fetchPage);
}

/** The probe's request: a three-second window around an edited room's `update_time`. */
export async function probeAround(
  updated: number,
  fetchPage: (window: TimeWindow) => Promise<ListPage>,
): Promise<FilterField | null> {
  const window = { start: updated - 1, end: updated + 1 };
  const page = await fetchPage(window);
  return filterEvidence(window, page.rooms);
}

/**
 * The newer of `current` and the newest `update_time` (epoch seconds) among `rooms` updated well
 * after their creation: what a full run, whose wide windows say nothing about the filter, probes
 * at once it has read, so the incremental runs after it need not.
 */
export function newestEdited(rooms: readonly TimedItem[], current: number | null): number | null {
  let newest = current;
  for (const room of rooms) {
    const updated = Date.parse(room.update_time ?? "");
    const created = Date.parse(room.create_time ?? "");
    if (!(updated - created > EDITED_AFTER_SECONDS * 1000)) continue;
    const seconds = Math.floor(updated / 1000);
    if (newest === null || seconds > newest) newest = seconds;
  }
  return newest;
}

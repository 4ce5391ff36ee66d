import { sql } from "drizzle-orm";

import { isStorableId } from "../metastudio/storable-item.js";

import type { Db } from "./database.js";
import { queryCount } from "./query-rows.js";
import { withHashJoins } from "./with-hash-joins.js";

/**
 * Rooms the run saw: those it wrote and those it only marked seen. The rooms it wrote are found by
 * their change rows (one per write, in the same statement as the write, indexed by run), not by
 * the rooms' `written_by_run`, which no index serves: that was a scan of every room of the
 * project at the end of every run, ~50 ms at 100k rooms even for a quiet run that saw none.
 * Housekeeping leaves the change rows of running runs alone, so none is missing here.
 */
export async function countSeenRooms(db: Db, runId: string): Promise<number> {
  return queryCount(
    db,
    sql`select count(*)::int as n from (
          select room_id from sync_seen_rooms where run_id = ${runId}
          union
          select room_id from smart_chat_room_changes where run_id = ${runId} and change <> 'deleted') seen`,
  );
}

/**
 * countSeenRooms for a run on a project the mirror held no room of when the run began (checked
 * under its lock), given the rooms it inserted: every room the project holds is one of those, so
 * only the IDs it saw without writing them are looked up, to leave out the ones that are rooms.
 * Counting a first full sync's 100,000 change rows through the union hashed them all at the end
 * of the run (~150 ms), and counting the rooms themselves read every page the run had just
 * written (~70 ms). Wrong for any other run: a room a predecessor wrote would not count as seen.
 */
export async function countSeenInNewProject(
  db: Db,
  input: { projectId: string; runId: string; inserted: number },
): Promise<number> {
  return queryCount(
    db,
    sql`select (${input.inserted}::int + count(distinct s.room_id))::int as n
          from sync_seen_rooms s
         where s.run_id = ${input.runId}
           and not exists (select 1 from smart_chat_rooms r
                            where r.project_id = ${input.projectId} and r.room_id = s.room_id)`,
  );
}

/**
 * Moves `last_seen_at` (and `last_request_id`) forward for rooms this run saw, but only where
 * the stored value is older than `resolutionSeconds`: refreshing every row on every run would
 * rewrite the whole table each time for a timestamp nobody needs to the minute.
 */
export async function refreshLastSeen(
  db: Db,
  input: { projectId: string; runId: string; now: Date; resolutionSeconds: number },
): Promise<number> {
  const threshold = new Date(input.now.getTime() - input.resolutionSeconds * 1000);
  return withHashJoins(db, (tx) =>
    queryCount(
      tx,
      sql`
    -- Computed once: see seenBy in mark-deleted for the plan Postgres picks otherwise.
    with seen as materialized (select room_id, request_id from sync_seen_rooms where run_id = ${input.runId}),
    touched as (
      update smart_chat_rooms r
         set last_seen_at = ${input.now}, last_request_id = coalesce(s.request_id, r.last_request_id)
        from seen s
       where r.project_id = ${input.projectId}
         and r.room_id = s.room_id
         and r.last_seen_at < ${threshold}
         -- Evaluated once, before the join: a run that saw no room (a quiet incremental run) reads
         -- no room, where the hash join alone scanned them all (~45 ms at 100k rooms).
         and exists (select 1 from seen)
      returning 1
    )
    select count(*)::int as n from touched`,
    ),
  );
}

/**
 * Marks IDs as seen without writing their rooms: items the upstream sent that cannot be mirrored.
 * An ID too long for any index (or holding NUL) was never stored, so it cannot be judged deleted: it is left out,
 * or it would cost a row for nothing. One row for them all: they come a page (bounded) at a time.
 */
export async function insertSeenIds(db: Db, runId: string, roomIds: Iterable<string>): Promise<void> {
  const ids = [...roomIds].filter(isStorableId);
  if (ids.length === 0) return;
  await db.execute(sql`
    insert into sync_seen_batches (run_id, room_ids, request_ids)
    select ${runId}::uuid, array_agg(id), array_agg(null::text)
      from jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb) as id`);
}

import { sql, type SQL } from "drizzle-orm";

import type { Db } from "./database.js";
import { queryCount, queryRows } from "./query-rows.js";
import { withHashJoins } from "./with-hash-joins.js";

/**
 * `seen`: the room IDs the run saw without writing them, as a CTE computed once. Left to itself
 * Postgres may join each batch's unnested IDs to the rooms on its own (a full scan of the rooms
 * per batch: a minute at 100,000 rooms), planning on its estimate of one batch and ten rooms.
 */
function seenBy(runId: string): SQL {
  return sql`seen as materialized (select room_id from sync_seen_rooms where run_id = ${runId})`;
}

/** A room `r` the run neither wrote (`written_by_run`) nor saw without writing (`seen`). */
function unseenBy(runId: string): SQL {
  return sql`r.written_by_run is distinct from ${runId}::uuid
         and not exists (select 1 from seen s where s.room_id = r.room_id)`;
}

/**
 * Live rooms of the project, and how many of them the run did not see. The seen IDs are joined
 * as a set, not tested per room: a `not exists` inside the count's filter is a subplan run per
 * room, and seen rows kept as arrays have no index by room to answer it: O(rooms²), over ten
 * minutes at 100,000 rooms.
 */
export async function countUnseenLive(
  db: Db,
  projectId: string,
  runId: string,
): Promise<{ live: number; unseen: number }> {
  const [row] = await withHashJoins(db, (tx) =>
    queryRows<{ live: number; unseen: number }>(
      tx,
      sql`
    with ${seenBy(runId)}
    select count(*)::int as live,
           (count(*) filter (where r.written_by_run is distinct from ${runId}::uuid and s.room_id is null))::int as unseen
      from smart_chat_rooms r
      left join (select distinct room_id from seen) s on s.room_id = r.room_id
     where r.project_id = ${projectId} and r.deleted_at is null`,
    ),
  );
  return { live: Number(row?.live ?? 0), unseen: Number(row?.unseen ?? 0) };
}

/** Unseen live rooms, for a dry run's preview. */
export async function listUnseenLive(db: Db, projectId: string, runId: string, limit: number) {
  return queryRows<{ room_id: string; room_name: string | null }>(
    db,
    sql`
    with ${seenBy(runId)}
    select r.room_id, r.room_name from smart_chat_rooms r
     where r.project_id = ${projectId} and r.deleted_at is null
       and ${unseenBy(runId)}
     order by r.room_id limit ${limit}`,
  );
}

/**
 * Soft-deletes every live room the (complete, error-free, full) run did not see and records a
 * `deleted` change for each, in one statement so the two can never disagree.
 */
export async function markUnseenDeleted(
  db: Db,
  input: { projectId: string; runId: string; now: Date },
): Promise<number> {
  return withHashJoins(db, (tx) =>
    queryCount(
      tx,
      sql`
    with ${seenBy(input.runId)}, gone as (
      update smart_chat_rooms r
         set deleted_at = ${input.now}, last_changed_at = ${input.now}
       where r.project_id = ${input.projectId} and r.deleted_at is null
         and ${unseenBy(input.runId)}
      returning r.room_id, r.raw
    ), logged as (
      -- before: the last item seen, so the room can be read back as it was (smart_chat_rooms_as_of).
      insert into smart_chat_room_changes (project_id, room_id, run_id, request_id, change, changed_fields, before, observed_at)
      select ${input.projectId}, room_id, ${input.runId}, null, 'deleted', '{}'::text[], raw, ${input.now} from gone
      returning 1
    )
    select count(*)::int as n from logged`,
    ),
  );
}

import { sql } from "drizzle-orm";

import type { Db } from "./database.js";
import { queryCount } from "./query-rows.js";

/**
 * One batch of housekeeping deletes per call, each its own short statement: rows are picked by
 * an index in `limit`-sized slices so no statement holds many row locks or runs long, and none of
 * them touches `smart_chat_rooms` or its voice configs, so the mirror is never locked. Each
 * returns the rows it deleted; the caller repeats until a batch comes back short.
 */

/** `sync_requests` rows older than `before`. */
export async function pruneRequests(db: Db, before: Date, limit: number): Promise<number> {
  return queryCount(
    db,
    sql`with gone as (
          delete from sync_requests where id in (
            select id from sync_requests where requested_at < ${before} order by requested_at limit ${limit}
          ) returning 1)
        select count(*)::int as n from gone`,
  );
}

/**
 * Finished `sync_runs` that ended before `before`, with their requests, and only when no change
 * row names them: a change's run stays explainable as long as the change is kept.
 */
export async function pruneRuns(db: Db, before: Date, limit: number): Promise<number> {
  return queryCount(
    db,
    sql`with doomed as (
          select r.id from sync_runs r
           where r.status <> 'running' and r.finished_at < ${before}
             and not exists (select 1 from smart_chat_room_changes c where c.run_id = r.id)
           order by r.finished_at limit ${limit}
        ), requests as (
          delete from sync_requests where run_id in (select id from doomed)
        ), gone as (
          delete from sync_runs where id in (select id from doomed) returning 1)
        select count(*)::int as n from gone`,
  );
}

/**
 * Scratch rows (`sync_seen_batches`, `sync_run_windows`) of runs that finished before `before`:
 * a run normally clears its own, but one cut off (a killed worker, a failed incremental) leaves
 * them; a failed full run's are kept until then because its successor may resume from them.
 */
export async function pruneScratch(db: Db, before: Date, limit: number): Promise<number> {
  let pruned = 0;
  for (const table of [sql`sync_seen_batches`, sql`sync_run_windows`]) {
    pruned += await queryCount(
      db,
      sql`with gone as (
            delete from ${table} where ctid = any(array(
              select t.ctid from ${table} t join sync_runs r on r.id = t.run_id
               where r.status <> 'running' and r.finished_at < ${before} limit ${limit}
            )) returning 1)
          select count(*)::int as n from gone`,
    );
  }
  return pruned;
}

/**
 * `smart_chat_room_changes` observed before `before` (only when a change retention is configured),
 * but none of a run still running: they are how it counts the rooms it wrote (countSeenRooms).
 */
export async function pruneChanges(db: Db, before: Date, limit: number): Promise<number> {
  return queryCount(
    db,
    sql`with gone as (
          delete from smart_chat_room_changes where id in (
            select c.id from smart_chat_room_changes c
             where c.observed_at < ${before}
               and not exists (select 1 from sync_runs r where r.id = c.run_id and r.status = 'running')
             order by c.id limit ${limit}
          ) returning 1)
        select count(*)::int as n from gone`,
  );
}

import { and, eq, inArray, ne, sql } from "drizzle-orm";

import type { Db } from "./database.js";
import { syncRunWindows, syncRuns, syncSeenBatches } from "./schema.js";

export async function insertRunWindow(
  db: Db,
  window: { runId: string; windowStart: Date; windowEnd: Date; rooms: number },
): Promise<void> {
  await db.insert(syncRunWindows).values(window).onConflictDoNothing();
}

export async function loadRunWindows(db: Db, runId: string) {
  return db.select().from(syncRunWindows).where(eq(syncRunWindows.runId, runId));
}

/**
 * Hands a failed full run's progress to its successor: the windows it completed and the rooms
 * it saw, so deletions are still judged against everything the two runs saw together. The rooms
 * it wrote carry its stamp (`written_by_run`), which becomes seen rows of the successor: the
 * stamp stays on rows the successor does not rewrite.
 */
export async function adoptRunProgress(
  db: Db,
  input: { projectId: string; fromRunId: string; toRunId: string },
): Promise<void> {
  const { projectId, fromRunId, toRunId } = input;
  await db.transaction(async (tx) => {
    await tx.update(syncRunWindows).set({ runId: toRunId }).where(eq(syncRunWindows.runId, fromRunId));
    await tx.update(syncSeenBatches).set({ runId: toRunId }).where(eq(syncSeenBatches.runId, fromRunId));
    // A row per thousand rooms: one row for a run that wrote a million would be a huge value.
    await tx.execute(sql`
      insert into sync_seen_batches (run_id, room_ids, request_ids)
      select ${toRunId}::uuid, array_agg(room_id), array_agg(last_request_id)
        from (select room_id, last_request_id, row_number() over () / 1000 as part from smart_chat_rooms
               where project_id = ${projectId} and written_by_run = ${fromRunId}::uuid) written
       group by part`);
  });
}

/** Drops the windows a run recorded complete: no run resuming it skips them. */
export async function dropRunWindows(db: Db, runId: string): Promise<void> {
  await db.delete(syncRunWindows).where(eq(syncRunWindows.runId, runId));
}

/** Drops the scratch rows of finished runs; a successful run needs none of them again. */
export async function clearRunProgress(db: Db, runIds: string[]): Promise<void> {
  if (runIds.length === 0) return;
  await db.delete(syncRunWindows).where(inArray(syncRunWindows.runId, runIds));
  await db.delete(syncSeenBatches).where(inArray(syncSeenBatches.runId, runIds));
}

/**
 * Drops the scratch rows of every finished run of a project, for when a full run has succeeded:
 * no earlier run can be resumed any more, and a run cut off after recording its own success (or a
 * failed incremental run) would otherwise keep its rows for good.
 */
export async function clearProjectProgress(db: Db, projectId: string): Promise<void> {
  const finished = db
    .select({ id: syncRuns.id })
    .from(syncRuns)
    .where(and(eq(syncRuns.projectId, projectId), ne(syncRuns.status, "running")));
  await db.delete(syncRunWindows).where(inArray(syncRunWindows.runId, finished));
  await db.delete(syncSeenBatches).where(inArray(syncSeenBatches.runId, finished));
}

import { and, eq, inArray, ne } from "drizzle-orm";

import type { Db } from "./database.js";
import { syncRunWindows, syncRuns, syncSeenRooms } from "./schema.js";

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
 * it saw, so deletions are still judged against everything the two runs saw together.
 */
export async function adoptRunProgress(db: Db, fromRunId: string, toRunId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.update(syncRunWindows).set({ runId: toRunId }).where(eq(syncRunWindows.runId, fromRunId));
    await tx.update(syncSeenRooms).set({ runId: toRunId }).where(eq(syncSeenRooms.runId, fromRunId));
  });
}

/** Drops the scratch rows of finished runs; a successful run needs none of them again. */
export async function clearRunProgress(db: Db, runIds: string[]): Promise<void> {
  if (runIds.length === 0) return;
  await db.delete(syncRunWindows).where(inArray(syncRunWindows.runId, runIds));
  await db.delete(syncSeenRooms).where(inArray(syncSeenRooms.runId, runIds));
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
  await db.delete(syncSeenRooms).where(inArray(syncSeenRooms.runId, finished));
}

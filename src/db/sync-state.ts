import { eq } from "drizzle-orm";

import type { Db } from "./database.js";
import { syncState } from "./schema.js";

export type SyncState = typeof syncState.$inferSelect;

export async function loadSyncState(db: Db, projectId: string): Promise<SyncState | undefined> {
  const [row] = await db.select().from(syncState).where(eq(syncState.projectId, projectId));
  return row;
}

export async function loadAllSyncStates(db: Db): Promise<SyncState[]> {
  return db.select().from(syncState);
}

/** Upserts the fields given; the others keep their stored values. */
export async function saveSyncState(
  db: Db,
  projectId: string,
  patch: Partial<Omit<SyncState, "projectId" | "updatedAt">>,
  now: Date,
): Promise<void> {
  await db
    .insert(syncState)
    .values({ projectId, ...patch, updatedAt: now })
    .onConflictDoUpdate({ target: syncState.projectId, set: { ...patch, updatedAt: now } });
}

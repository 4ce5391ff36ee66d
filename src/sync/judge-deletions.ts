import { randomUUID } from "node:crypto";

import type { PlannedChange } from "../db/apply-room-batch.js";
import type { Db } from "../db/database.js";
import { countUnseenLive, listUnseenLive, markUnseenDeleted } from "../db/mark-deleted.js";
import { MassDeleteRefusedError } from "./sync-errors.js";

/**
 * After a complete full run and its closing read: marks the live rooms it did not see deleted,
 * unless that would be more than `threshold` of them and the job does not allow a mass delete. A
 * run that saw far too little is far more often a fault (an upstream outage, a filter bug) than a
 * mass deletion, so it refuses and marks nothing. Returns how many rooms were marked.
 */
export async function applyDeletions(
  db: Db,
  input: { projectId: string; runId: string; threshold: number; allowMassDelete: boolean; now: Date },
): Promise<number> {
  const { live, unseen } = await countUnseenLive(db, input.projectId, input.runId);
  if (unseen === 0) return 0;
  if (!input.allowMassDelete && unseen > live * input.threshold) {
    const share = ((unseen / live) * 100).toFixed(1);
    throw new MassDeleteRefusedError(
      `Refusing to mark ${unseen} of ${live} live rooms of project ${input.projectId} deleted (${share}%, ` +
        `more than SYNC_MASS_DELETE_THRESHOLD=${input.threshold * 100}%): the upstream listed far fewer rooms than ` +
        `the mirror holds, which is more often a fault than a mass deletion. Nothing was marked deleted. ` +
        `If they really are gone, run a full sync again with --allow-mass-delete.`,
    );
  }
  return markUnseenDeleted(db, { projectId: input.projectId, runId: input.runId, now: input.now });
}

/** What `applyDeletions` would mark, for a dry run, which keeps its seen rooms in memory. */
export async function previewDeletions(
  db: Db,
  projectId: string,
  seen: ReadonlySet<string>,
): Promise<PlannedChange[]> {
  // A dry run has no seen rows in the database; an ID no run uses finds every live room unseen.
  const live = await listUnseenLive(db, projectId, randomUUID(), Number.MAX_SAFE_INTEGER);
  return live
    .filter((row) => !seen.has(row.room_id))
    .map((row) => ({
      roomId: row.room_id,
      roomName: row.room_name,
      change: "deleted" as const,
      changedFields: [],
      requestId: undefined,
    }));
}

import { randomUUID } from "node:crypto";

import type { PlannedChange } from "../db/apply-room-batch.js";
import type { Db } from "../db/database.js";
import { countUnseenLive, listUnseenLive, markUnseenDeleted } from "../db/mark-deleted.js";
import { MASS_DELETE_REFUSAL, MassDeleteRefusedError } from "./sync-errors.js";

/** Whether to refuse a mass delete, and how many rooms the judgement is about. */
export interface MassDeleteGuard {
  projectId: string;
  threshold: number;
  allowMassDelete: boolean;
}

/**
 * After a complete full run and its closing read: marks the live rooms it did not see deleted,
 * unless that would be more than `threshold` of them and the job does not allow a mass delete (see
 * refuseMassDelete). Returns how many rooms were marked.
 */
export async function applyDeletions(
  db: Db,
  input: MassDeleteGuard & { runId: string; now: Date },
): Promise<number> {
  const { live, unseen } = await countUnseenLive(db, input.projectId, input.runId);
  if (unseen === 0) return 0;
  refuseMassDelete({ ...input, live, unseen });
  return markUnseenDeleted(db, { projectId: input.projectId, runId: input.runId, now: input.now });
}

/**
 * What `applyDeletions` would mark, for a dry run, which keeps its seen rooms in memory. It
 * refuses what the real run would refuse: a preview of 40 deletions the real run never makes
 * would tell the operator the opposite of what is about to happen.
 */
export async function previewDeletions(
  db: Db,
  input: MassDeleteGuard & { seen: ReadonlySet<string> },
): Promise<PlannedChange[]> {
  // A dry run has no seen rows in the database; an ID no run uses finds every live room unseen.
  const live = await listUnseenLive(db, input.projectId, randomUUID(), Number.MAX_SAFE_INTEGER);
  const unseen = live.filter((row) => !input.seen.has(row.room_id));
  if (unseen.length > 0) refuseMassDelete({ ...input, live: live.length, unseen: unseen.length });
  return unseen.map((row) => ({
    roomId: row.room_id,
    roomName: row.room_name,
    change: "deleted" as const,
    changedFields: [],
    requestId: undefined,
  }));
}

/**
 * Throws MassDeleteRefusedError when `unseen` of the `live` rooms are more than `threshold` of
 * them and the job does not allow a mass delete. A run that saw far too little is far more often
 * a fault (an upstream outage, a filter bug) than a mass deletion, so it refuses and marks nothing.
 */
export function refuseMassDelete(input: MassDeleteGuard & { live: number; unseen: number }): void {
  const { live, unseen } = input;
  if (input.allowMassDelete || unseen <= live * input.threshold) return;
  const share = ((unseen / live) * 100).toFixed(1);
  throw new MassDeleteRefusedError(
    `${MASS_DELETE_REFUSAL} ${unseen} of ${live} live rooms of project ${input.projectId} deleted (${share}%, ` +
      `more than SYNC_MASS_DELETE_THRESHOLD=${input.threshold * 100}%): the upstream listed far fewer rooms than ` +
      `the mirror holds, which is more often a fault than a mass deletion. Nothing was marked deleted. ` +
      `If they really are gone, run a full sync again with --allow-mass-delete.`,
  );
}

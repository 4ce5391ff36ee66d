import { randomUUID } from "node:crypto";

import type { Db } from "../db/database.js";
import { DryRunRoomBatches } from "./dry-run-room-batches.js";
import { previewDeletions } from "./judge-deletions.js";
import type { RoomBatches } from "./room-batches.js";
import type { ResumableRun } from "./resumable-run.js";
import type { DeletionJudgement, RunLedger } from "./run-ledger.js";
import type { TimeWindow } from "./time-window.js";

/**
 * The ledger of a dry run: it records nothing, remembers the rooms it saw in memory, and judges
 * deletions against them by listing (not marking) the live rooms never seen, refusing a mass
 * delete as the real run would. It never resumes a failed run nor closes one, which are real
 * runs' business.
 */
export class DryRunLedger implements RunLedger {
  readonly dryRun = true;
  readonly batches: RoomBatches;
  private readonly seen = new Set<string>();
  private projectId = "";

  constructor(private readonly db: Db) {
    this.batches = new DryRunRoomBatches(db);
  }

  async closeInterrupted(): Promise<void> {}

  findResumable(): Promise<ResumableRun | null> {
    return Promise.resolve(null);
  }

  start(run: { projectId: string }): Promise<string> {
    this.projectId = run.projectId;
    return Promise.resolve(randomUUID());
  }

  adopt(): Promise<TimeWindow[]> {
    return Promise.resolve([]);
  }

  request(): void {}

  async flushRequests(): Promise<void> {}

  async windowDone(): Promise<void> {}

  pageSeen(roomIds: Iterable<string>): void {
    for (const id of roomIds) this.seen.add(id);
  }

  seenWithoutRoom(roomIds: Iterable<string>): Promise<void> {
    this.pageSeen(roomIds);
    return Promise.resolve();
  }

  countSeen(): Promise<number> {
    return Promise.resolve(this.seen.size);
  }

  async judgeDeletions(judgement: DeletionJudgement) {
    const preview = await previewDeletions(this.db, {
      projectId: this.projectId,
      seen: this.seen,
      threshold: judgement.threshold,
      allowMassDelete: judgement.allowMassDelete,
    });
    return { deleted: preview.length, preview };
  }

  async succeed(): Promise<void> {}

  async fail(): Promise<void> {}
}

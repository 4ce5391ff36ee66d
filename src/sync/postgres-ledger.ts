import type { Db } from "../db/database.js";
import {
  adoptRunProgress,
  clearProjectProgress,
  clearRunProgress,
  dropRunWindows,
  insertRunWindow,
  loadRunWindows,
} from "../db/run-windows.js";
import { countSeenInNewProject, countSeenRooms, insertSeenIds, refreshLastSeen } from "../db/seen-rooms.js";
import { insertRequests, type RequestRow } from "../db/sync-requests.js";
import {
  failInterruptedRuns,
  finishRun,
  insertRun,
  latestFullRun,
  resumeChainStart,
} from "../db/sync-runs.js";
import { saveSyncState } from "../db/sync-state.js";
import type { RequestRecord } from "../metastudio/metastudio-client.js";
import type { RunMode } from "../vocabulary.js";
import { applyDeletions } from "./judge-deletions.js";
import { isResumable, type ResumableRun } from "./resumable-run.js";
import { MassDeleteRefusedError } from "./sync-errors.js";
import {
  requestRow,
  type DeletionJudgement,
  type RunFailure,
  type RunLedger,
  type RunStart,
  type RunSuccess,
} from "./run-ledger.js";
import { PostgresRoomBatches } from "./postgres-room-batches.js";
import type { RoomBatches } from "./room-batches.js";
import { toSeconds, type TimeWindow } from "./time-window.js";

/**
 * The ledger of a real run: `sync_runs`, `sync_requests`, `sync_run_windows`, `sync_seen_rooms`,
 * `sync_state`.
 */
export class PostgresLedger implements RunLedger {
  readonly dryRun = false;
  readonly batches: RoomBatches;
  private runId = "";
  private mode: RunMode = "incremental";
  private projectId = "";
  private pending: RequestRow[] = [];

  constructor(private readonly db: Db) {
    this.batches = new PostgresRoomBatches(db);
  }

  async closeInterrupted(projectId: string, now: Date): Promise<void> {
    await failInterruptedRuns(this.db, projectId, now);
  }

  async findResumable(projectId: string, notBefore: Date): Promise<ResumableRun | null> {
    const run = await latestFullRun(this.db, projectId, notBefore);
    if (run === null || !isResumable(run)) return null;
    return { id: run.id, chainStartedAt: await resumeChainStart(this.db, run.id) };
  }

  async start(run: RunStart): Promise<string> {
    this.projectId = run.projectId;
    this.mode = run.mode;
    this.runId = await insertRun(this.db, run);
    return this.runId;
  }

  async adopt(fromRunId: string): Promise<TimeWindow[]> {
    await adoptRunProgress(this.db, { projectId: this.projectId, fromRunId, toRunId: this.runId });
    return (await loadRunWindows(this.db, this.runId)).map((w) => ({
      start: toSeconds(w.windowStart),
      end: toSeconds(w.windowEnd),
    }));
  }

  request(record: RequestRecord): void {
    this.pending.push(requestRow(this.runId, record));
  }

  async flushRequests(minimum = 0): Promise<void> {
    if (this.pending.length < Math.max(1, minimum)) return;
    const rows = this.pending;
    this.pending = [];
    await insertRequests(this.db, rows);
  }

  async windowDone(window: TimeWindow, rooms: number): Promise<void> {
    // Only a full run resumes, and only closed windows can be skipped by the next one.
    if (this.mode !== "full" || window.start === null || window.end === null) return;
    await insertRunWindow(this.db, {
      runId: this.runId,
      windowStart: new Date(window.start * 1000),
      windowEnd: new Date(window.end * 1000),
      rooms,
    });
  }

  pageSeen(): void {
    // The writer stores each sighting in its room's batch, so a lost batch is never counted seen.
  }

  seenWithoutRoom(roomIds: Iterable<string>): Promise<void> {
    return insertSeenIds(this.db, this.runId, roomIds);
  }

  countSeen(newProject?: { inserted: number }): Promise<number> {
    if (newProject)
      return countSeenInNewProject(this.db, { projectId: this.projectId, runId: this.runId, ...newProject });
    return countSeenRooms(this.db, this.runId);
  }

  async judgeDeletions(judgement: DeletionJudgement) {
    try {
      const deleted = await applyDeletions(this.db, {
        projectId: this.projectId,
        runId: this.runId,
        ...judgement,
      });
      return { deleted, preview: [] };
    } catch (error) {
      // The refusal on the run's row keeps the next full run from resuming it (isResumable). Its
      // windows go too, for a row that never records it (the process dies first, and the run is
      // closed as interrupted later): a successor then reads everything again. Best effort: the
      // refusal, not a failure to drop them, is what the run's row must say.
      if (error instanceof MassDeleteRefusedError) {
        await dropRunWindows(this.db, this.runId).catch(() => {});
      }
      throw error;
    }
  }

  async succeed(success: RunSuccess): Promise<void> {
    const { finishedAt } = success;
    if (success.seenResolutionSeconds !== null) {
      await refreshLastSeen(this.db, {
        projectId: this.projectId,
        runId: this.runId,
        now: finishedAt,
        resolutionSeconds: success.seenResolutionSeconds,
      });
    }
    await saveSyncState(this.db, this.projectId, { ...success.state, lastRunId: this.runId }, finishedAt);
    await finishRun(this.db, this.runId, { ...success.counts, status: "succeeded", finishedAt, error: null });
    if (this.mode === "full") await clearProjectProgress(this.db, this.projectId);
    else await clearRunProgress(this.db, [this.runId]);
  }

  async fail(failure: RunFailure): Promise<void> {
    await finishRun(this.db, this.runId, {
      ...failure.counts,
      status: "failed",
      finishedAt: failure.finishedAt,
      error: failure.error,
    });
  }
}

import type { PlannedChange } from "../db/apply-room-batch.js";
import type { NewRun, RunCounts } from "../db/sync-runs.js";
import type { SyncState } from "../db/sync-state.js";
import type { RequestRecord } from "../metastudio/metastudio-client.js";
import type { ResumableRun } from "./resumable-run.js";
import type { RoomBatches } from "./room-batches.js";
import type { TimeWindow } from "./time-window.js";

/** A run as it starts, as the ledger records it. */
export type RunStart = NewRun;

export interface DeletionJudgement {
  /** Let more than `threshold` of the live rooms be marked deleted. */
  allowMassDelete: boolean;
  threshold: number;
  now: Date;
}

export interface RunSuccess {
  counts: Required<RunCounts>;
  finishedAt: Date;
  /** What the next run starts from. */
  state: Partial<Omit<SyncState, "projectId" | "updatedAt">>;
  /**
   * `last_seen_at` is refreshed only when older than this; null: no room's is (the engine knows,
   * see commitRun), and the refresh, which joins the seen IDs to every room, is not sent.
   */
  seenResolutionSeconds: number | null;
}

export interface RunFailure {
  counts: Required<RunCounts>;
  finishedAt: Date;
  error: string;
}

/**
 * Everything a run records about itself, in one place: its row, every upstream request, the
 * windows it completed, the rooms it saw, the deletions it judged, how it ended and the state the
 * next run starts from, and where the rooms' batches go. One implementation stores it in
 * Postgres; the dry run's keeps it in memory and stores nothing, so the engine never asks whether
 * it is a dry run (`dryRun` is for the run's summary).
 */
export interface RunLedger {
  readonly dryRun: boolean;
  /**
   * Where the RoomWriter reads and writes the run's rooms, a batch at a time; a real run's
   * batches also record the sightings of the rooms in them.
   */
  readonly batches: RoomBatches;
  /** Closes runs still marked running, whose process died; makes a full one resumable. */
  closeInterrupted(projectId: string, now: Date): Promise<void>;
  /**
   * A failed full run started after `notBefore` and after the last success, to resume; never one
   * that refused a mass delete, whose reads were judged implausible. With when its chain began.
   */
  findResumable(projectId: string, notBefore: Date): Promise<ResumableRun | null>;
  /** The run's row; returns its ID. */
  start(run: RunStart): Promise<string>;
  /** Takes over a failed run's completed windows and seen rooms; returns those windows. */
  adopt(fromRunId: string): Promise<TimeWindow[]>;
  /** One upstream attempt; buffered until `flushRequests`. */
  request(record: RequestRecord): void;
  /** Stores the buffered attempts, if at least `minimum` are waiting. @default 0 */
  flushRequests(minimum?: number): Promise<void>;
  /** A closed window read completely, its rooms committed: a resumed run skips it. */
  windowDone(window: TimeWindow, rooms: number): Promise<void>;
  /** Rooms a page carried (the writer stores real runs' sightings with the rooms). */
  pageSeen(roomIds: Iterable<string>): void;
  /**
   * IDs seen without their room being written (items that cannot be mirrored). Stored before the
   * window that read them is recorded done (`windowDone`), so a run resuming it still sees them.
   */
  seenWithoutRoom(roomIds: Iterable<string>): Promise<void>;
  /**
   * Rooms the run saw: those it wrote and those it saw without writing them. `newProject`: the
   * mirror held no room of the project when the run began, and the run inserted this many, which
   * are then every room it holds (see countSeenInNewProject).
   */
  countSeen(newProject?: { inserted: number }): Promise<number>;
  /**
   * Marks (or, dry, lists) the live rooms the run never saw deleted; refuses a mass delete, dry
   * or not, with MassDeleteRefusedError.
   */
  judgeDeletions(judgement: DeletionJudgement): Promise<{ deleted: number; preview: PlannedChange[] }>;
  succeed(success: RunSuccess): Promise<void>;
  fail(failure: RunFailure): Promise<void>;
}

export function requestRow(runId: string, record: RequestRecord) {
  return {
    runId,
    projectId: record.projectId,
    requestId: record.requestId ?? null,
    status: record.status ?? null,
    errorCode: record.errorCode ?? null,
    offset: record.offset,
    limit: record.limit,
    startTime: record.startTime ? new Date(record.startTime) : null,
    endTime: record.endTime ? new Date(record.endTime) : null,
    items: record.items ?? null,
    attempt: record.attempt,
    durationMs: Math.round(record.durationMs),
    requestedAt: record.requestedAt,
  };
}

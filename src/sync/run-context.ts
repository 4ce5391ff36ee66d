import type { Database } from "../db/database.js";
import type { ProjectLock } from "../db/project-lock.js";
import type { SyncState } from "../db/sync-state.js";
import type { Logger } from "../logger.js";
import type { MetaStudioClient } from "../metastudio/metastudio-client.js";
import type { FilterField, SyncJob } from "../vocabulary.js";
import type { RunPlan } from "./plan-run.js";
import type { RoomWriter } from "./room-writer.js";
import type { RunBudget, RunBudgetOptions } from "./run-budget.js";
import type { Semaphore } from "./semaphore.js";
import { LockLostError } from "./sync-errors.js";
import type { RunLedger } from "./run-ledger.js";
import type { TimeWindow } from "./time-window.js";
import type { UpstreamClock } from "./upstream-clock.js";

export interface SyncSettings {
  lookbackSeconds: number;
  massDeleteThreshold: number;
  pageConcurrency: number;
  /**
   * How far the upstream's clock may be off ours, either way. Settled windows end this long
   * before the run started; the closing read starts this long before the run started (or the
   * earliest run it resumed) by the upstream's clock; an offset beyond it is logged as a warning.
   * @default 300
   */
  clockSkewSeconds?: number;
  /** `last_seen_at` is refreshed only when older than this. @default 86400 */
  seenResolutionSeconds?: number;
  /** A failed full run younger than this is resumed rather than started over. @default 86400 */
  resumeWithinSeconds?: number;
  /** @default 5000 */
  maxWindowRooms?: number;
  /** Rooms per write transaction. @default 500 */
  batchSize?: number;
  /**
   * Rooms a planned window holds at most by the mirror's count: a window that fits one page is
   * read in one request, an atomic snapshot no edit can disturb. Rooms only leave a settled
   * window (an edit moves a room to the newest second), so a window planned full stays one page.
   * @default 100, the page size
   */
  plannedWindowRooms?: number;
  /** Requests and wall time per run, derived from the reported count (see RunBudget). */
  runBudget?: RunBudgetOptions;
}

export interface SyncDeps {
  database: Database;
  client: Pick<MetaStudioClient, "listSmartChatRooms">;
  logger: Logger;
  settings: SyncSettings;
  now?: () => Date;
  /** Aborting it stops the run, which is recorded failed with its counts ("interrupted by ..."). */
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
  /** The measured offset of the upstream's clock, per run, for metrics. */
  onClockOffset?: (projectId: string, offsetSeconds: number) => void;
}

export type { SyncJob };

export interface RunProgress {
  projectId: string;
  requests: number;
  pages: number;
  rooms: number;
  windowsDone: number;
  /**
   * Rooms the upstream reported (`count` of a window's first page) in the `windowsReported`
   * windows of the `windowsPlanned` read so far: the total to show progress against, exact once
   * every window has reported. Optional: a job's progress may come from an older worker.
   */
  reported?: number;
  windowsReported?: number;
  windowsPlanned?: number;
}

/** What the run's phases share: set up by `openRun`, read and extended by the others. */
export interface RunContext {
  deps: SyncDeps;
  job: SyncJob;
  now: () => Date;
  startedAt: Date;
  /** `performance.now()` at the start, for the duration. */
  startedMs: number;
  log: Logger;
  lock: ProjectLock;
  ledger: RunLedger;
  runId: string;
  writer: RoomWriter;
  /** Spent per request; a lying `count` ends the run here instead of splitting forever. */
  budget: RunBudget;
  /** Upstream requests in flight at once, across every window of the run. */
  pageSlots: Semaphore;
  /** Windows paging past their first page at once: bounds the room IDs their tallies hold. */
  windowSlots: Semaphore;
  clock: UpstreamClock;
  state: SyncState | undefined;
  /** What the time filter applies to, as far as the run has learned. */
  filterField: FilterField | null;
  /** The newest `update_time` (epoch seconds) of an edited room a full run read: where to probe. */
  probeAt: number | null;
  plan: RunPlan;
  /** Windows a failed predecessor completed, which this run does not read again. */
  covered: TimeWindow[];
  resumedFrom: string | null;
  /**
   * When the earliest run whose windows `covered` holds began: the resumed run, or the run it
   * resumed, and so on; `startedAt` when the run resumes none.
   */
  chainStartedAt: Date;
  progress: RunProgress;
  /**
   * The mirror held no row of the project's rooms when the run began (checked under its lock):
   * every room it holds by the end is one this run wrote. Never in a dry run, which writes none.
   */
  unstoredAtStart: boolean;
  /** Items that cannot be mirrored: their IDs count as seen, so they are never judged deleted. */
  invalidIds: Set<string>;
  invalidItems: number;
  fetchMs: number;
  validateMs: number;
  /** Where the closing read started: the watermark a success moves to. */
  closedFrom: Date | null;
  /** False when the closing read could not be completed; no deletion is judged then. */
  closingSettled: boolean;
  /**
   * The `count` of the whole list, read just before the closing read of a run that judges
   * deletions (see unaccountedRooms); absent until then, and in runs that judge none.
   */
  listedBeforeClose?: number;
  /** Items read whose `room_id` cannot be stored as seen, per read (see unaccountedRooms). */
  itemsWithoutId: number;
}

/** Without the lock, another run may have started: nothing that needs the project to itself. */
export function assertLocked(ctx: RunContext): void {
  if (!ctx.lock.held) throw new LockLostError(ctx.job.projectId);
}

export function skewSeconds(ctx: Pick<RunContext, "deps">): number {
  return ctx.deps.settings.clockSkewSeconds ?? 300;
}

import { randomUUID } from "node:crypto";

import type { Database } from "../db/database.js";
import { clippedError, describeError } from "../describe-error.js";
import { tryLockProject, type ProjectLock } from "../db/project-lock.js";
import {
  adoptRunProgress,
  clearProjectProgress,
  clearRunProgress,
  insertRunWindow,
  loadRunWindows,
} from "../db/run-windows.js";
import type { FilterField, RunMode, RunTrigger } from "../db/schema.js";
import { countSeenRooms, insertSeenIds, refreshLastSeen } from "../db/seen-rooms.js";
import { insertRequests, type RequestRow } from "../db/sync-requests.js";
import { failInterruptedRuns, findResumableRun, finishRun, insertRun } from "../db/sync-runs.js";
import { loadSyncState, saveSyncState } from "../db/sync-state.js";
import type { Logger } from "../logger.js";
import type { ListPage, MetaStudioClient, RequestRecord } from "../metastudio/metastudio-client.js";
import type { PlannedChange } from "../db/apply-room-batch.js";
import { collectWindow } from "./collect-window.js";
import { filterEvidence } from "./filter-evidence.js";
import { applyDeletions, previewDeletions } from "./judge-deletions.js";
import { planRun } from "./plan-run.js";
import { probeFilterField } from "./probe-filter.js";
import { RoomWriter } from "./room-writer.js";
import { RunBudget, type RunBudgetOptions } from "./run-budget.js";
import { Semaphore } from "./semaphore.js";
import { FilterSemanticsChanged, LockLostError, RunInProgressError } from "./sync-errors.js";
import { uncoveredWindows, windowParams, type TimeWindow } from "./time-window.js";
import { summarizeRun, type RunSummary } from "./run-summary.js";

export interface SyncSettings {
  lookbackSeconds: number;
  massDeleteThreshold: number;
  pageConcurrency: number;
  /** How far the upstream clock may lag ours; settled windows end this long before now. @default 300 */
  clockSkewSeconds?: number;
  /** `last_seen_at` is refreshed only when older than this. @default 86400 */
  seenResolutionSeconds?: number;
  /** A failed full run younger than this is resumed rather than started over. @default 86400 */
  resumeWithinSeconds?: number;
  /** @default 5000 */
  maxWindowRooms?: number;
  /** Rooms per write transaction. @default 500 */
  batchSize?: number;
  /** Requests and wall time per run, derived from the reported count (see RunBudget). */
  runBudget?: RunBudgetOptions;
}

export interface SyncDeps {
  database: Database;
  client: Pick<MetaStudioClient, "listSmartChatRooms">;
  logger: Logger;
  settings: SyncSettings;
  now?: () => Date;
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
}

export interface SyncJob {
  projectId: string;
  mode: RunMode;
  trigger: RunTrigger;
  /** Fetch and diff, write nothing. */
  dryRun?: boolean;
  /** Let a full run mark more than `massDeleteThreshold` of the live rooms deleted. */
  allowMassDelete?: boolean;
}

export interface RunProgress {
  projectId: string;
  requests: number;
  pages: number;
  rooms: number;
  windowsDone: number;
}

export type { RunSummary };

/**
 * One run for one project, from lock to summary. It throws RunInProgressError without doing
 * anything when another run holds the project; any other failure is recorded on the run row and
 * rethrown, and nothing already stored is lost (writes are per batch; state moves on success only).
 */
export async function runSync(deps: SyncDeps, job: SyncJob): Promise<RunSummary> {
  const lock = await tryLockProject(deps.database, job.projectId);
  if (!lock) throw new RunInProgressError(job.projectId);
  try {
    return await lockedRun(deps, job, lock);
  } finally {
    await lock.release();
  }
}

async function lockedRun(deps: SyncDeps, job: SyncJob, lock: ProjectLock): Promise<RunSummary> {
  const { db } = deps.database;
  const now = deps.now ?? (() => new Date());
  const settings = deps.settings;
  const dryRun = job.dryRun ?? false;
  const startedAt = now();
  const log = deps.logger.child({ project_id: job.projectId, mode: job.mode, trigger: job.trigger });
  // Without the lock, a run started meanwhile may adopt this one's seen rooms: judged against
  // what is left, live rooms would look gone. Checked per page, before deletions, before the state.
  const assertLocked = () => {
    if (!lock.held) throw new LockLostError(job.projectId);
  };

  if (!dryRun) await failInterruptedRuns(db, job.projectId, startedAt);
  const state = await loadSyncState(db, job.projectId);
  // A full run re-examines an upstream once found to ignore the filter: it may have been fixed.
  let filterField: FilterField | null =
    job.mode === "full" && state?.filterField === "ignored" ? null : (state?.filterField ?? null);
  let plan = planRun({ ...planInput(job, startedAt, state?.watermark ?? null, settings), filterField });
  const resumeSince = new Date(startedAt.getTime() - (settings.resumeWithinSeconds ?? 86_400) * 1000);
  const resumedFrom =
    job.mode === "full" && !dryRun ? await findResumableRun(db, job.projectId, resumeSince) : null;
  const runId = dryRun
    ? randomUUID()
    : await insertRun(db, {
        projectId: job.projectId,
        mode: job.mode,
        trigger: job.trigger,
        startedAt,
        windowStart: toDate(plan.windows[0]?.start ?? null),
        windowEnd: plan.settledUntil,
        resumedFrom,
      });
  const runLog = log.child({ run_id: runId });
  const covered: TimeWindow[] = [];
  if (resumedFrom) {
    await adoptRunProgress(db, resumedFrom, runId);
    for (const w of await loadRunWindows(db, runId)) {
      covered.push({
        start: Math.floor(w.windowStart.getTime() / 1000),
        end: Math.floor(w.windowEnd.getTime() / 1000),
      });
    }
    runLog.info({ resumed_from: resumedFrom, windows: covered.length }, "resuming a failed full run");
  }
  runLog.info({ windows: plan.windows.length, dry_run: dryRun }, "sync run started");

  const writer = new RoomWriter({
    db,
    projectId: job.projectId,
    runId,
    dryRun,
    batchSize: settings.batchSize,
    now,
    logger: runLog,
  });
  const progress: RunProgress = { projectId: job.projectId, requests: 0, pages: 0, rooms: 0, windowsDone: 0 };
  const budget = new RunBudget(Date.now(), settings.runBudget); // issue 10: a lying count ends
  const invalidIds = new Set<string>();
  let invalidItems = 0;
  let fetchMs = 0;
  let validateMs = 0;
  let pendingRequests: RequestRow[] = [];
  const flushRequests = async (): Promise<void> => {
    const rows = pendingRequests;
    pendingRequests = [];
    if (!dryRun) await insertRequests(db, rows);
  };
  const onRequest = (record: RequestRecord): void => {
    progress.requests += 1;
    fetchMs += record.durationMs;
    pendingRequests.push({
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
    });
    budget.spend(Date.now()); // issue 10: throws once the run's budget is spent
  };
  const narrow = (): boolean => job.mode === "incremental" && (plan.windows[0]?.start ?? 0) > 0;
  const onPage = async (page: ListPage, window: TimeWindow): Promise<void> => {
    assertLocked();
    budget.observeCount(page.count); // issue 10
    progress.pages += 1;
    validateMs += page.parseMs;
    progress.rooms += page.rooms.length;
    invalidItems += page.invalid.length;
    for (const invalid of page.invalid) {
      const id = (invalid.item as { room_id?: unknown } | null)?.room_id;
      if (typeof id === "string" && id) invalidIds.add(id);
    }
    const evidence = filterEvidence(window, page.rooms);
    if (evidence !== null && evidence !== filterField) {
      runLog.info(
        { filter_field: evidence, previously: filterField },
        "observed what start_time/end_time filter on",
      );
      filterField = evidence;
      if (evidence === "ignored" || (evidence === "create_time" && narrow())) {
        throw new FilterSemanticsChanged(evidence);
      }
    }
    await writer.add(page.rooms.map((room) => ({ room, requestId: page.requestId })));
    if (pendingRequests.length >= 200) await flushRequests();
    deps.onProgress?.({ ...progress });
  };

  // Windows are read concurrently: the first failure (a re-plan included) stops every other
  // branch, or they would go on splitting and writing for a plan that no longer holds.
  let stop = new AbortController();
  const stopOnFailure = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      stop.abort(error);
      throw error;
    }
  };
  const fetchPage = (w: TimeWindow, offset: number, limit: number) =>
    deps.client.listSmartChatRooms(
      { projectId: job.projectId, offset, limit, ...windowParams(w) },
      {
        signal: deps.signal ? AbortSignal.any([deps.signal, stop.signal]) : stop.signal,
        log: { run_id: runId },
        onRequest,
      },
    );
  // A narrow incremental window is only safe once the filter is known to apply to update_time.
  if (filterField === null && narrow()) {
    filterField = await probeFilterField(db, job.projectId, (w) => fetchPage(w, 0, 100));
    runLog.info({ filter_field: filterField }, "probed what start_time/end_time filter on");
    if (filterField !== "update_time") {
      // Unknown reads as wide as create_time would: slower, but it cannot miss an update.
      const assumed = filterField ?? "create_time";
      plan = planRun({
        ...planInput(job, startedAt, state?.watermark ?? null, settings),
        filterField: assumed,
      });
    }
  }
  const semaphore = new Semaphore(settings.pageConcurrency);
  // Two windows' worth of pages keep every fetch slot busy while bounding the room IDs held.
  const windowSlots = new Semaphore(2);
  const collect = async (): Promise<void> => {
    stop = new AbortController();
    // A resumed run reads only what its predecessor did not finish.
    for (const window of plan.windows.flatMap((w) => uncoveredWindows(w, covered))) {
      await collectWindow(window, {
        semaphore,
        windowSlots,
        signal: stop.signal,
        maxWindowRooms: settings.maxWindowRooms,
        fetchPage: (w, offset, limit) => stopOnFailure(() => fetchPage(w, offset, limit)),
        onPage: (page, w) => stopOnFailure(() => onPage(page, w)),
        onWindowComplete: (w, count) => {
          progress.windowsDone += 1;
          // Recorded only once its rooms are committed, so a resumed run can trust it.
          if (job.mode === "full" && !dryRun && w.start !== null && w.end !== null) {
            const done = { runId, windowStart: toDate(w.start)!, windowEnd: toDate(w.end)!, rooms: count };
            writer.afterWrites(() => insertRunWindow(db, done));
          }
        },
      });
    }
  };

  const started = performance.now();
  try {
    try {
      await collect();
    } catch (error) {
      if (!(error instanceof FilterSemanticsChanged)) throw error;
      runLog.warn({ filter_field: error.field }, "re-planning the run for the observed filter behaviour");
      plan = planRun({ ...planInput(job, startedAt, state?.watermark ?? null, settings), filterField });
      covered.length = 0;
      await collect();
    }
    await writer.flush();
    await flushRequests();
    assertLocked();

    let deleted = 0;
    let deletionPreview: PlannedChange[] = [];
    if (plan.findsDeletions) {
      if (dryRun) {
        deletionPreview = await previewDeletions(
          deps.database,
          job.projectId,
          writer.seenInDryRun,
          invalidIds,
        );
        deleted = deletionPreview.length;
      } else {
        await insertSeenIds(db, runId, invalidIds);
        deleted = await applyDeletions(deps.database, job, runId, settings.massDeleteThreshold, now());
      }
    }
    const roomsSeen = dryRun ? writer.seenInDryRun.size : await countSeenRooms(db, runId);
    const finishedAt = now();
    const summary = summarizeRun({
      runId,
      job,
      status: "succeeded",
      dryRun,
      resumedFrom,
      requests: progress.requests,
      roomsSeen,
      invalidItems,
      deleted,
      totals: writer.totals,
      preview: [...writer.preview, ...deletionPreview.slice(0, 50)],
      durationMs: performance.now() - started,
      fetchMs,
      validateMs,
      error: null,
    });
    if (!dryRun) {
      assertLocked();
      await refreshLastSeen(db, {
        projectId: job.projectId,
        runId,
        now: finishedAt,
        resolutionSeconds: settings.seenResolutionSeconds ?? 86_400,
      });
      await saveSyncState(
        db,
        job.projectId,
        {
          watermark: plan.settledUntil,
          filterField,
          lastRunId: runId,
          lastSuccessAt: finishedAt,
          ...(job.mode === "full" ? { lastFullSuccessAt: finishedAt } : {}),
        },
        finishedAt,
      );
      await finishRun(db, runId, { ...summary.counts, status: "succeeded", finishedAt, error: null });
      if (job.mode === "full") await clearProjectProgress(db, job.projectId);
      else await clearRunProgress(db, [runId]);
    }
    runLog.info({ ...summary.counts, duration_ms: Math.round(summary.durationMs) }, "sync run succeeded");
    return summary;
  } catch (error) {
    const message = describeError(error); // issue 10: clipped, the database's reason, no query parameters
    runLog.error({ err: clippedError(error), requests: progress.requests }, "sync run failed");
    if (!dryRun) {
      // Best effort: the database may be what failed. The run row stays 'running' if this fails
      // too, and the next run of the project closes it as interrupted.
      await writer.flush().catch(() => {});
      await flushRequests().catch(() => {});
      const counts = summarizeRun({
        runId,
        job,
        status: "failed",
        dryRun,
        resumedFrom,
        requests: progress.requests,
        roomsSeen: 0,
        invalidItems,
        deleted: 0,
        totals: writer.totals,
        preview: [],
        durationMs: performance.now() - started,
        fetchMs,
        validateMs,
        error: message,
      }).counts;
      await finishRun(db, runId, { ...counts, status: "failed", finishedAt: now(), error: message }).catch(
        (cause: unknown) => runLog.warn({ err: cause }, "could not record the run's failure"),
      );
    }
    throw error;
  }
}

function planInput(job: SyncJob, now: Date, watermark: Date | null, settings: SyncSettings) {
  return {
    mode: job.mode,
    now,
    watermark,
    lookbackSeconds: settings.lookbackSeconds,
    clockSkewSeconds: settings.clockSkewSeconds ?? 300,
  };
}

function toDate(seconds: number | null): Date | null {
  return seconds === null ? null : new Date(seconds * 1000);
}

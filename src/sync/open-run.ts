import type { ProjectLock } from "../db/project-lock.js";
import { projectHoldsRooms } from "../db/project-holds-rooms.js";
import { roomTimeGroupEnds } from "../db/room-time-groups.js";
import { loadSyncState } from "../db/sync-state.js";
import type { FilterField, SyncJob } from "../vocabulary.js";
import { DryRunLedger } from "./dry-run-ledger.js";
import { planRun, type RunPlan } from "./plan-run.js";
import { cutsAfter } from "./plan-windows.js";
import { PostgresLedger } from "./postgres-ledger.js";
import type { ResumableRun } from "./resumable-run.js";
import { RoomWriter } from "./room-writer.js";
import { RunBudget } from "./run-budget.js";
import { skewSeconds, type RunContext, type SyncDeps } from "./run-context.js";
import { Semaphore } from "./semaphore.js";
import { UpstreamClock } from "./upstream-clock.js";

/**
 * The open phase: closes runs a dead process left running, loads the project's state, plans,
 * finds a failed full run to resume, and records the run's start. What it returns is the context
 * every later phase works on; from here on, a failure is recorded on the run.
 */
export async function openRun(deps: SyncDeps, job: SyncJob, lock: ProjectLock): Promise<RunContext> {
  const { db } = deps.database;
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  const ledger = job.dryRun ? new DryRunLedger(db) : new PostgresLedger(db);
  await ledger.closeInterrupted(job.projectId, startedAt);
  const state = await loadSyncState(db, job.projectId);
  // A full run re-examines an upstream once found to ignore the filter: it may have been fixed.
  const filterField =
    job.mode === "full" && state?.filterField === "ignored" ? null : (state?.filterField ?? null);
  const plan = await planFor({ deps, job, startedAt, state }, filterField);
  const resumeWithin = (deps.settings.resumeWithinSeconds ?? 86_400) * 1000;
  const resumable =
    job.mode === "full"
      ? await ledger.findResumable(job.projectId, new Date(startedAt.getTime() - resumeWithin))
      : null;
  const runId = await ledger.start({
    projectId: job.projectId,
    mode: job.mode,
    trigger: job.trigger,
    startedAt,
    windowStart: toDate(plan.windows[0]?.start ?? plan.tail.start),
    windowEnd: plan.settledUntil,
    resumedFrom: resumable?.id ?? null,
  });
  const log = deps.logger.child({
    project_id: job.projectId,
    mode: job.mode,
    trigger: job.trigger,
    run_id: runId,
  });
  // A project's first run (or one after every row was pruned). Asked under the lock: no other
  // run can write the project's rooms until this one ends.
  const unstoredAtStart = !ledger.dryRun && !(await projectHoldsRooms(db, job.projectId));
  return newRunContext(
    { deps, job, now, startedAt, log, lock, ledger, runId, state, filterField, plan },
    resumable,
    unstoredAtStart,
  );
}

/** What openRun decided and opened before the context is assembled. */
type OpenedRun = Pick<
  RunContext,
  | "deps"
  | "job"
  | "now"
  | "startedAt"
  | "log"
  | "lock"
  | "ledger"
  | "runId"
  | "state"
  | "filterField"
  | "plan"
>;

/**
 * The context of a run just recorded as started: its writer, slots and clock, nothing read or
 * counted yet.
 */
function newRunContext(
  opened: OpenedRun,
  resumable: ResumableRun | null,
  unstoredAtStart: boolean,
): RunContext {
  const { deps, job, startedAt } = opened;
  const writer = new RoomWriter({
    batches: opened.ledger.batches,
    projectId: job.projectId,
    runId: opened.runId,
    // Before the project's first successful run, every room found existed before mirroring began.
    discovering: !opened.state?.lastSuccessAt,
    // No batch of rooms this run has not written is read.
    unstoredAtStart,
    batchSize: deps.settings.batchSize,
    now: opened.now,
    logger: opened.log,
  });
  return {
    ...opened,
    writer,
    startedMs: performance.now(),
    budget: new RunBudget(Date.now(), deps.settings.runBudget),
    pageSlots: new Semaphore(deps.settings.pageConcurrency),
    windowSlots: new Semaphore(2),
    clock: new UpstreamClock(),
    probeAt: null,
    covered: [],
    resumedFrom: resumable?.id ?? null,
    chainStartedAt: resumable?.chainStartedAt ?? startedAt,
    progress: {
      projectId: job.projectId,
      requests: 0,
      pages: 0,
      rooms: 0,
      windowsDone: 0,
      reported: 0,
      windowsReported: 0,
      windowsPlanned: 0,
    },
    unstoredAtStart,
    invalidIds: new Set(),
    itemsWithoutId: 0,
    invalidItems: 0,
    fetchMs: 0,
    validateMs: 0,
    closedFrom: null,
    closingSettled: true,
  };
}

/** Takes over what the failed run being resumed completed: its windows and the rooms it saw. */
export async function resumeRun(ctx: RunContext): Promise<void> {
  if (ctx.resumedFrom) {
    ctx.covered = await ctx.ledger.adopt(ctx.resumedFrom);
    ctx.log.info(
      { resumed_from: ctx.resumedFrom, windows: ctx.covered.length },
      "resuming a failed full run",
    );
  }
  ctx.log.info(
    { windows: ctx.plan.windows.length, dry_run: ctx.ledger.dryRun, filter_field: ctx.filterField },
    "sync run started",
  );
}

/**
 * The plan for `filterField`. A full run cuts the settled span where the mirror's rooms make
 * groups that fit one page: a one-page window is read in one request, a snapshot that rooms
 * edited meanwhile cannot disturb, so a full run during heavy editing costs about what a quiet
 * one does. Rooms the mirror does not know yet (newer than its newest) are read as one window.
 */
export async function planFor(
  ctx: Pick<RunContext, "deps" | "job" | "startedAt" | "state">,
  filterField: FilterField | null,
): Promise<RunPlan> {
  const { settings } = ctx.deps;
  const field = filterField === "create_time" ? "create_time" : "update_time";
  const cuts =
    ctx.job.mode === "full" && filterField !== "ignored"
      ? cutsAfter(
          await roomTimeGroupEnds(
            ctx.deps.database.db,
            ctx.job.projectId,
            field,
            settings.plannedWindowRooms ?? 100,
          ),
        )
      : [];
  return planRun({
    mode: ctx.job.mode,
    now: ctx.startedAt,
    watermark: ctx.state?.watermark ?? null,
    filterField,
    lookbackSeconds: settings.lookbackSeconds,
    clockSkewSeconds: skewSeconds(ctx),
    cuts,
  });
}

function toDate(seconds: number | null): Date | null {
  return seconds === null ? null : new Date(seconds * 1000);
}

import type { ProjectLock } from "../db/project-lock.js";
import { tryLockProject } from "../db/project-lock.js";
import type { SyncJob } from "../vocabulary.js";
import { closeRun, closingRead } from "./close-run.js";
import { commitRun, failRun } from "./commit-run.js";
import { openRun, resumeRun } from "./open-run.js";
import { readSettled, replan } from "./read-run.js";
import type { RunContext, SyncDeps } from "./run-context.js";
import type { RunSummary } from "./run-summary.js";
import { FilterSemanticsChanged, RunInProgressError } from "./sync-errors.js";

export type { RunProgress, SyncDeps, SyncSettings } from "./run-context.js";
export type { RunSummary, SyncJob };

export interface RunHooks {
  /**
   * The run's ID once it is recorded as started (a dry run's names no row), before anything can
   * fail it: how a caller whose run failed knows which row is its own, as a failure throws, with
   * no summary to carry the ID. Never called when another run holds the project.
   */
  onRunStarted?: (runId: string) => void;
}

/**
 * One run for one project, from lock to summary. It throws RunInProgressError without doing
 * anything when another run holds the project; any other failure is recorded on the run row and
 * rethrown, and nothing already stored is lost (writes are per batch; state moves on success only).
 */
export async function runSync(deps: SyncDeps, job: SyncJob, hooks: RunHooks = {}): Promise<RunSummary> {
  const lock = await tryLockProject(deps.database, job.projectId);
  if (!lock) throw new RunInProgressError(job.projectId);
  try {
    return await lockedRun(deps, job, lock, hooks);
  } finally {
    await lock.release();
  }
}

/** The phases: open, read (settled windows, then the closing read), close, commit or fail. */
async function lockedRun(
  deps: SyncDeps,
  job: SyncJob,
  lock: ProjectLock,
  hooks: RunHooks,
): Promise<RunSummary> {
  const ctx = await openRun(deps, job, lock);
  try {
    hooks.onRunStarted?.(ctx.runId);
    await resumeRun(ctx);
    await readEverything(ctx);
    return await commitRun(ctx, await closeRun(ctx));
  } catch (error) {
    await failRun(ctx, error);
    throw error;
  }
}

/**
 * Settled windows, then the closing read after them. When the data contradicts what the plan
 * assumed about the time filter, the run plans again and reads everything once more.
 */
async function readEverything(ctx: RunContext): Promise<void> {
  try {
    await readSettled(ctx);
    await closingRead(ctx);
  } catch (error) {
    if (!(error instanceof FilterSemanticsChanged)) throw error;
    await replan(ctx, error);
    await readSettled(ctx);
    await closingRead(ctx);
  }
}

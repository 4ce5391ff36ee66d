import type { Database } from "../db/database.js";
import { isProjectLocked } from "../db/project-lock.js";
import { failInterruptedRunsById, runningRunsByProject } from "../db/sync-runs.js";

/**
 * Closes the runs a dead process left marked running, as the project's next run would. A run
 * takes its project's lock before it writes its row and releases it after closing it, so a run
 * seen running whose project's lock is free, and still running when closed, was cut off. Only the
 * runs seen first are closed: one started after the lock was looked up is live. The lock is
 * looked up, never taken (isProjectLocked), so a run starting meanwhile does not find its project
 * busy. Without this a project removed from the configuration (no next run) kept such a run
 * running for good, and with it the change and scratch rows housekeeping leaves to running runs.
 *
 * As for the next run, a run whose lock's connection was lost but which has not noticed yet (it
 * checks before each page and at its end) is taken for dead; its own close then overwrites this.
 */
export async function closeAbandonedRuns(database: Database, now: Date): Promise<number> {
  let closed = 0;
  for (const [projectId, runIds] of await runningRunsByProject(database.db)) {
    if (await isProjectLocked(database, projectId)) continue;
    closed += await failInterruptedRunsById(database.db, runIds, now);
  }
  return closed;
}

import type { Database } from "../db/database.js";
import { tryLockProject } from "../db/project-lock.js";
import { failInterruptedRuns, projectsWithRunningRuns } from "../db/sync-runs.js";

/**
 * Closes the runs a dead process left marked running, as the project's next run would: a run
 * holds its project's lock from before its row is written until after it is closed, so a project
 * whose lock is free has no live run, and every run of it still marked running was cut off.
 * Without this, a project removed from the configuration (no next run) kept such a run running
 * for good, and with it the change and scratch rows housekeeping leaves to running runs.
 * A project whose lock is held is syncing right now: skipped, its run is live.
 */
export async function closeAbandonedRuns(database: Database, now: Date): Promise<number> {
  let closed = 0;
  for (const projectId of await projectsWithRunningRuns(database.db)) {
    const lock = await tryLockProject(database, projectId);
    if (!lock) continue;
    try {
      closed += await failInterruptedRuns(database.db, projectId, now);
    } finally {
      await lock.release();
    }
  }
  return closed;
}

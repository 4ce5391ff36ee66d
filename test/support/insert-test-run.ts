import { insertRun } from "../../src/db/sync-runs.js";
import type { Db } from "../../src/db/database.js";
import type { RunMode, RunTrigger } from "../../src/vocabulary.js";

/**
 * A `sync_runs` row as a run starting now would insert it, for tests that write as a run without
 * running one: full, from the CLI, started now, over the whole list and resuming nothing, unless
 * told otherwise (mode, trigger and start only).
 */
export function insertTestRun(
  db: Db,
  run: { projectId: string; mode?: RunMode; trigger?: RunTrigger; startedAt?: Date },
): Promise<string> {
  return insertRun(db, {
    projectId: run.projectId,
    mode: run.mode ?? "full",
    trigger: run.trigger ?? "cli",
    startedAt: run.startedAt ?? new Date(),
    windowStart: null,
    windowEnd: null,
    resumedFrom: null,
  });
}

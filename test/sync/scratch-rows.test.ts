import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { queryCount } from "../../src/db/query-rows.js";
import { insertRunWindow } from "../../src/db/run-windows.js";
import { syncSeenBatches } from "../../src/db/schema.js";
import { finishRun } from "../../src/db/sync-runs.js";
import { startHarness, type Harness } from "../support/sync-harness.js";
import { useTestDatabase } from "../support/use-test-database.js";
import { insertTestRun } from "../support/insert-test-run.js";

const database = useTestDatabase();
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness(database, { projectIds: ["p-scratch", "p-other"], roomsPerProject: 120 });
});
afterAll(async () => {
  await harness.close();
});

/** A finished run that left scratch rows behind, as a run cut off after its bookkeeping would. */
async function leftover(projectId: string, mode: "full" | "incremental", status: "succeeded" | "failed") {
  const runId = await insertTestRun(database.db, {
    projectId,
    mode,
    startedAt: new Date(Date.now() - 60_000),
  });
  await finishRun(database.db, runId, { status, finishedAt: new Date(Date.now() - 30_000), error: null });
  await database.db.insert(syncSeenBatches).values([{ runId, roomIds: ["r1"], requestIds: ["req"] }]);
  await insertRunWindow(database.db, {
    runId,
    windowStart: new Date(0),
    windowEnd: new Date(1000),
    rooms: 1,
  });
  return runId;
}

const scratchRows = (projectId: string) =>
  queryCount(
    database.db,
    sql`select ((select count(*) from sync_seen_rooms s join sync_runs r on r.id = s.run_id where r.project_id = ${projectId})
              + (select count(*) from sync_run_windows w join sync_runs r on r.id = w.run_id where r.project_id = ${projectId}))::int as n`,
  );

describe("scratch rows", () => {
  // A run cut off after recording its success, before clearing its rows (npm run drill, 3d),
  // left them for good: nothing else ever deleted them.
  it("are all gone after a successful full run, whatever earlier runs left", async () => {
    await harness.run("p-scratch");
    await leftover("p-scratch", "full", "succeeded");
    await leftover("p-scratch", "incremental", "failed");
    const elsewhere = await leftover("p-other", "full", "failed");
    expect(await scratchRows("p-scratch")).toBe(4);

    await harness.run("p-scratch");
    expect(await scratchRows("p-scratch")).toBe(0);
    // Another project's failed full run stays resumable.
    expect(await scratchRows("p-other")).toBe(2);
    const resumed = await harness.run("p-other");
    expect(resumed.resumedFrom).toBe(elsewhere);
  });
});

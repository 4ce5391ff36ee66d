import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { HousekeepingConfig } from "../../src/config/config.js";
import { tryLockProject } from "../../src/db/project-lock.js";
import { queryCount, queryRows } from "../../src/db/query-rows.js";
import { insertRunWindow } from "../../src/db/run-windows.js";
import { syncSeenBatches } from "../../src/db/schema.js";
import { countSeenRooms } from "../../src/db/seen-rooms.js";
import { finishRun } from "../../src/db/sync-runs.js";
import { createLogger } from "../../src/logger.js";
import { runHousekeeping } from "../../src/housekeeping/run-housekeeping.js";
import { expectExactMirror, startHarness, type Harness } from "../support/sync-harness.js";
import { useTestDatabase } from "../support/use-test-database.js";
import { insertTestRun } from "../support/insert-test-run.js";

const DAY = 86_400_000;
const CONFIG: HousekeepingConfig = {
  requestsDays: 90,
  runsDays: 365,
  scratchDays: 2,
  changesDays: undefined,
  everyHours: 6,
  batchSize: 5,
  pauseMs: 0,
};

const database = useTestDatabase();
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness(database, { projectIds: ["p-old", "p-live"], roomsPerProject: 1500 });
});
afterAll(async () => {
  await harness.close();
});

/** A finished run of `p-old` that ended `daysAgo` days ago, with scratch rows and requests. */
async function pastRun(daysAgo: number, options: { requests?: number; change?: boolean } = {}) {
  const finishedAt = new Date(Date.now() - daysAgo * DAY);
  const runId = await insertTestRun(database.db, {
    projectId: "p-old",
    trigger: "schedule",
    startedAt: new Date(finishedAt.getTime() - 60_000),
  });
  await finishRun(database.db, runId, { status: "failed", finishedAt, error: "cut off" });
  await database.db.insert(syncSeenBatches).values([{ runId, roomIds: ["r1"], requestIds: ["req"] }]);
  await insertRunWindow(database.db, { runId, windowStart: new Date(0), windowEnd: new Date(1), rooms: 1 });
  for (let i = 0; i < (options.requests ?? 0); i += 1) {
    await database.db.execute(sql`insert into sync_requests
      (run_id, project_id, request_id, status, "offset", "limit", attempt, duration_ms, requested_at)
      values (${runId}, 'p-old', ${`req-${daysAgo}-${i}`}, 200, ${i * 10}, 10, 1, 5, ${finishedAt})`);
  }
  if (options.change) {
    await database.db.execute(sql`insert into smart_chat_room_changes
      (project_id, room_id, run_id, request_id, change, changed_fields, observed_at)
      values ('p-old', 'r1', ${runId}, null, 'created', '{}', ${finishedAt})`);
  }
  return runId;
}

const count = (table: string, where = sql`true`) =>
  queryCount(database.db, sql`select count(*)::int as n from ${sql.raw(table)} where ${where}`);

describe("housekeeping", () => {
  it("prunes past retention in batches while a mirror is being written, and keeps the rest", async () => {
    const ancient = await pastRun(400, { requests: 7 });
    const explained = await pastRun(400, { requests: 2, change: true });
    const aged = await pastRun(100, { requests: 12 });
    const recent = await pastRun(10, { requests: 3 });
    const resumable = await pastRun(0.05);

    // A full run of another project writes the mirror meanwhile.
    harness.sim.setBehaviour({ latencyMs: 30 });
    const live = harness.run("p-live", { mode: "full" });
    const logger = createLogger("silent");
    const first = await runHousekeeping(database, CONFIG, { logger });
    const summary = await live;
    harness.sim.setBehaviour({ latencyMs: 0 });

    expect(summary.status).toBe("succeeded");
    await expectExactMirror(database, harness.sim, "p-live");
    expect(first).toEqual({
      scratch: 8,
      sync_requests: 21,
      sync_runs: 1,
      smart_chat_room_changes: 0,
      runs_closed: 0,
    });
    const runs = await queryRowsIds();
    expect(runs).not.toContain(ancient);
    // A run a kept change names stays, whatever its age; younger ones stay too.
    expect(runs).toEqual(expect.arrayContaining([explained, aged, recent, resumable]));
    expect(await count("sync_requests", sql`project_id = 'p-old'`)).toBe(3);
    // The live run's requests are today's: untouched.
    expect(await count("sync_requests", sql`project_id = 'p-live'`)).toBeGreaterThanOrEqual(
      summary.counts.requests,
    );
    // Scratch of runs past 2 days is gone; a failed full of an hour ago keeps what it may resume from.
    expect(await count("sync_seen_rooms")).toBe(1);
    expect(await count("sync_run_windows", sql`run_id = ${resumable}`)).toBe(1);
    expect(await count("smart_chat_room_changes", sql`project_id = 'p-old'`)).toBe(1);

    // Changes only go when a retention is configured; then their runs can go too.
    const second = await runHousekeeping(database, { ...CONFIG, changesDays: 30 }, { logger });
    expect(second).toMatchObject({ smart_chat_room_changes: 1 });
    expect(await count("smart_chat_room_changes", sql`project_id = 'p-old'`)).toBe(0);
    expect(await count("smart_chat_room_changes", sql`project_id = 'p-live'`)).toBeGreaterThan(0);
    const third = await runHousekeeping(database, CONFIG, { logger });
    expect(third).toMatchObject({ sync_runs: 1 });
    expect(await queryRowsIds()).not.toContain(explained);
  });
});

describe("housekeeping beside running runs", () => {
  /** A run of `projectId` marked running, with two change rows observed two days ago. */
  async function runningRun(projectId: string): Promise<string> {
    const runId = await insertTestRun(database.db, { projectId, trigger: "schedule" });
    const observedAt = new Date(Date.now() - 2 * DAY);
    for (const room of ["w1", "w2"]) {
      await database.db.execute(sql`insert into smart_chat_room_changes
        (project_id, room_id, run_id, request_id, change, changed_fields, observed_at)
        values (${projectId}, ${room}, ${runId}, null, 'created', '{}', ${observedAt})`);
    }
    return runId;
  }

  // A running run counts the rooms it wrote by their change rows: pruned under it (a retention of
  // zero days), its summary would say it saw none of them. A live run holds its project's lock.
  it("leaves a live run and its change rows, whatever their age", async () => {
    const running = await runningRun("p-busy");
    const finished = await pastRun(1, { change: true });
    const lock = await tryLockProject(database, "p-busy");
    try {
      const result = await runHousekeeping(
        database,
        { ...CONFIG, changesDays: 0 },
        { logger: createLogger("silent") },
      );
      expect(result).toMatchObject({ runs_closed: 0 });
    } finally {
      await lock!.release();
    }
    expect(await count("smart_chat_room_changes", sql`run_id = ${finished}`)).toBe(0);
    expect(await count("smart_chat_room_changes", sql`run_id = ${running}`)).toBe(2);
    expect(await countSeenRooms(database.db, running)).toBe(2);
    expect(await runStatus(running)).toBe("running");
  });

  // A project removed from the configuration has no next run to close what a dead process left.
  it("closes a run its process left running, and prunes it like any finished run", async () => {
    const abandoned = await runningRun("p-removed");
    // The earlier test's run too, now that nothing holds its lock.
    const marked = await count("sync_runs", sql`status = 'running'`);
    const result = await runHousekeeping(
      database,
      { ...CONFIG, changesDays: 0 },
      { logger: createLogger("silent") },
    );
    expect(result).toMatchObject({ runs_closed: marked });
    expect(await runStatus(abandoned)).toBe("failed");
    expect(await count("sync_runs", sql`status = 'running'`)).toBe(0);
    expect(await count("smart_chat_room_changes", sql`run_id = ${abandoned}`)).toBe(0);
  });
});

async function runStatus(runId: string): Promise<string | undefined> {
  const rows = await queryRows<{ status: string }>(
    database.db,
    sql`select status from sync_runs where id = ${runId}`,
  );
  return rows[0]?.status;
}

async function queryRowsIds(): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(database.db, sql`select id from sync_runs`);
  return rows.map((row) => row.id);
}

import { asc, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";

import { syncProjects, syncRuns } from "../../src/db/schema.js";
import { enqueueSync } from "../../src/queue/enqueue-sync.js";
import { schedulerId } from "../../src/queue/schedule-projects.js";
import { waitForSyncs } from "../../src/queue/wait-for-syncs.js";
import { expectExactMirror } from "../support/sync-harness.js";
import type { TestDatabase } from "../support/test-database.js";
import { useTestDatabase } from "../support/use-test-database.js";
import { useWorkerFleet } from "./fixtures/use-worker-fleet.js";
import { SECRET_TOKEN, spawnWorker, workerEnv, type WorkerProcess } from "./worker-fixture.js";

// Two deployments (each its own database and projects) on one Redis with the same QUEUE_PREFIX.
const dbA = useTestDatabase();
const dbB = useTestDatabase();
const fleet = useWorkerFleet({
  projectIds: ["a-1", "a-2", "b-1"],
  roomsPerProject: 120,
  credentials: { accessKeys: {}, tokens: [SECRET_TOKEN], iamUsers: [] },
});

async function deployment(database: TestDatabase, projectIds: string[]): Promise<WorkerProcess> {
  const worker = await spawnWorker(
    workerEnv({
      sim: fleet.sim,
      databaseUrl: database.url,
      prefix: fleet.prefix,
      projectIds,
      extra: {
        TEST_SCHEDULE: "1",
        TEST_HAND_BACK_MS: "100",
        SYNC_INCREMENTAL_EVERY: "1d",
        SYNC_FULL_EVERY: "1d",
      },
    }),
  );
  fleet.spawned.push(worker);
  return worker;
}

async function stop(worker: WorkerProcess): Promise<void> {
  worker.child.kill("SIGTERM");
  expect(await worker.exited).toBe(0);
}

async function runsIn(database: TestDatabase) {
  return database.db.select().from(syncRuns).orderBy(asc(syncRuns.startedAt));
}

async function schedulerKeys(): Promise<string[]> {
  return (await fleet.queue.getJobSchedulers()).map((s) => s.key).sort();
}

describe("two deployments on one Redis and one QUEUE_PREFIX", () => {
  it("keep each other's schedules, hand each other's jobs back, and fail only jobs nobody serves", async () => {
    const a = await deployment(dbA, ["a-1"]);
    const b = await deployment(dbB, ["b-1"]);
    // Each start's first full runs in its own deployment, whichever worker took the job first.
    // (Its first scheduled incremental may run too, once that full has succeeded: handed back
    // by the other deployment, it can arrive after it.)
    const fullRuns = async (database: TestDatabase) =>
      (await runsIn(database))
        .filter((r) => r.status === "succeeded" && r.mode === "full")
        .map((r) => r.projectId);
    await vi.waitFor(
      async () => {
        expect(await fullRuns(dbA)).toEqual(["a-1"]);
        expect(await fullRuns(dbB)).toEqual(["b-1"]);
      },
      { timeout: 60_000, interval: 200 },
    );
    expect(await schedulerKeys()).toEqual(
      ["a-1", "b-1"].flatMap((p) => [schedulerId(p, "full"), schedulerId(p, "incremental")]).sort(),
    );

    // A redeploys with a-2 instead of a-1: its own a-1 schedules go, B's stay.
    await stop(a);
    const a2 = await deployment(dbA, ["a-2"]);
    expect(await schedulerKeys()).toEqual(
      ["a-2", "b-1"].flatMap((p) => [schedulerId(p, "full"), schedulerId(p, "incremental")]).sort(),
    );
    const retired = await dbA.db.select().from(syncProjects).where(eq(syncProjects.projectId, "a-1"));
    expect(retired[0]?.retiredAt).toBeInstanceOf(Date);

    // Manual jobs for either deployment complete in the right one, whichever worker takes them.
    const jobs = [];
    for (let i = 0; i < 3; i += 1) {
      jobs.push(await enqueueSync(fleet.queue, { projectId: "b-1", mode: "full", trigger: "manual" }));
      jobs.push(await enqueueSync(fleet.queue, { projectId: "a-2", mode: "full", trigger: "manual" }));
      const outcomes = await waitForSyncs(fleet.queue, fleet.events, jobs.slice(-2));
      expect(outcomes.map((o) => o.outcome)).toEqual(["completed", "completed"]);
    }
    expect((await runsIn(dbA)).some((r) => r.projectId === "b-1")).toBe(false);
    expect((await runsIn(dbB)).some((r) => r.projectId !== "b-1")).toBe(false);
    await expectExactMirror(dbA, fleet.sim, "a-2");
    await expectExactMirror(dbB, fleet.sim, "b-1");

    // A project no worker serves fails at once, saying so.
    const nobody = await enqueueSync(fleet.queue, { projectId: "nobody", mode: "full", trigger: "manual" });
    const [refused] = await waitForSyncs(fleet.queue, fleet.events, [nobody]);
    expect(refused?.outcome === "failed" && refused.reason).toMatch(/not configured in any worker/);
    expect(await fleet.queue.getJobCountByTypes("failed")).toBe(1);

    await stop(a2);
    await stop(b);
    // Four worker processes start and stop in turn: on a loaded CI machine that takes minutes.
  }, 240_000);
});

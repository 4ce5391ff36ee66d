import { QueueEvents } from "bullmq";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";

import { tryLockProject } from "../../src/db/project-lock.js";
import { syncRuns } from "../../src/db/schema.js";
import { saveSyncState } from "../../src/db/sync-state.js";
import { AccountHolds } from "../../src/queue/account-holds.js";
import { enqueueSync } from "../../src/queue/enqueue-sync.js";
import { schedulerId } from "../../src/queue/schedule-projects.js";
import type { RunningWorker } from "../../src/runtime/start-worker.js";
import { SYNC_JOB_OPTIONS } from "../../src/queue/sync-job-options.js";
import { createSyncQueue, SYNC_QUEUE_NAME, type SyncJobData } from "../../src/queue/sync-queue.js";
import { waitForSyncs } from "../../src/queue/wait-for-syncs.js";
import { startSimulator, type Simulator } from "../../src/simulator/simulator.js";
import { expectExactMirror } from "../support/sync-harness.js";
import { randomPrefix } from "../support/test-database.js";
import { useTestDatabase } from "../support/use-test-database.js";
import { dumpRedis, SECRET_TOKEN, startTestWorker, workerEnv } from "./worker-fixture.js";
import { openQueueClients, type QueueClients } from "./fixtures/queue-clients.js";

const PROJECTS = ["dedup-manual", "dedup-scheduled", "busy", "storm", "refused", "first-start"];
const WRONG_TOKEN = "wrong-token-9d2b7a-never-in-redis";

const database = useTestDatabase();
let sim: Simulator;
let redis: QueueClients["redis"];
let queue: QueueClients["queue"];
let events: QueueClients["events"];
let clients: QueueClients;
let worker: RunningWorker;
const prefix = randomPrefix();

beforeAll(async () => {
  sim = await startSimulator({
    projectIds: PROJECTS,
    roomsPerProject: 600,
    credentials: { accessKeys: {}, tokens: [SECRET_TOKEN], iamUsers: [] },
  });
  // Two tries per request: a 429 storm outlasts the client's retries quickly.
  const env = workerEnv({
    sim,
    databaseUrl: database.url,
    prefix,
    projectIds: PROJECTS,
    extra: { METASTUDIO_MAX_ATTEMPTS: "2" },
  });
  worker = await startTestWorker(env);
  clients = await openQueueClients(prefix);
  ({ redis, queue, events } = clients);
});

afterAll(async () => {
  await worker?.close();
  await clients?.close();
  await sim?.close();
});

async function runsOf(projectId: string) {
  return database.db
    .select()
    .from(syncRuns)
    .where(eq(syncRuns.projectId, projectId))
    .orderBy(asc(syncRuns.startedAt));
}

async function waitForRunning(projectId: string): Promise<void> {
  await vi.waitFor(
    async () => expect((await runsOf(projectId)).some((run) => run.status === "running")).toBe(true),
    { timeout: 30_000, interval: 50 },
  );
}

describe("the worker", () => {
  it("deduplicates a manual resync against the same manual job while it runs: one run", async () => {
    // Slow answers keep the run active while we ask again; fast ones let it finish afterwards.
    sim.setBehaviour({ latencyMs: 2000 });
    const first = await enqueueSync(queue, { projectId: "dedup-manual", mode: "full", trigger: "manual" });
    expect(first.deduplicated).toBe(false);
    await waitForRunning("dedup-manual");
    const again = await Promise.all(
      [1, 2, 3].map(() => enqueueSync(queue, { projectId: "dedup-manual", mode: "full", trigger: "manual" })),
    );
    sim.setBehaviour({ latencyMs: 0 });
    expect(again).toEqual([1, 2, 3].map(() => ({ ...first, deduplicated: true })));

    const [outcome] = await waitForSyncs(queue, events, [first]);
    expect(outcome?.outcome).toBe("completed");
    const runs = await runsOf("dedup-manual");
    expect(runs.map((r) => [r.mode, r.trigger, r.status])).toEqual([["full", "manual", "succeeded"]]);
    await expectExactMirror(database, sim, "dedup-manual");

    // Once it has finished, asking again is a new run.
    const later = await enqueueSync(queue, { projectId: "dedup-manual", mode: "full", trigger: "manual" });
    expect(later.deduplicated).toBe(false);
    expect(later.jobId).not.toBe(first.jobId);
    await waitForSyncs(queue, events, [later]);
    expect(await runsOf("dedup-manual")).toHaveLength(2);
  });

  it("deduplicates a manual resync against a scheduled run of the project that is active: one run", async () => {
    sim.setBehaviour({ latencyMs: 2000 });
    await queue.upsertJobScheduler(
      schedulerId("dedup-scheduled", "full"),
      { every: 86_400_000 },
      {
        name: "full dedup-scheduled",
        data: { projectId: "dedup-scheduled", mode: "full", trigger: "schedule" },
        opts: SYNC_JOB_OPTIONS,
      },
    );
    await waitForRunning("dedup-scheduled");
    const manual = await enqueueSync(queue, {
      projectId: "dedup-scheduled",
      mode: "full",
      trigger: "manual",
    });
    sim.setBehaviour({ latencyMs: 0 });
    expect(manual.deduplicated).toBe(true);
    expect(manual.jobId).toMatch(/^repeat:/);

    const [outcome] = await waitForSyncs(queue, events, [manual]);
    expect(outcome?.outcome).toBe("completed");
    const runs = await runsOf("dedup-scheduled");
    expect(runs.map((r) => [r.trigger, r.status])).toEqual([["schedule", "succeeded"]]);
    // Nothing else of the project is left to run (the next iteration is a day away).
    const pending = await queue.getJobs(["wait", "active", "prioritized"]);
    expect(pending.filter((job) => job?.data.projectId === "dedup-scheduled")).toEqual([]);
    await queue.removeJobScheduler(schedulerId("dedup-scheduled", "full"));
  });

  it("a project busy elsewhere: a scheduled incremental is skipped, a manual run waits its turn", async () => {
    // The project was mirrored before (else a scheduled incremental waits for the first full).
    await saveSyncState(database.db, "busy", { lastSuccessAt: new Date() }, new Date());
    // Another process (here: this test) is syncing the project.
    const lock = (await tryLockProject(database, "busy"))!;
    const manual = await enqueueSync(queue, { projectId: "busy", mode: "full", trigger: "manual" });
    await queue.upsertJobScheduler(
      schedulerId("busy", "incremental"),
      { every: 86_400_000 },
      {
        name: "incremental busy",
        data: { projectId: "busy", mode: "incremental", trigger: "schedule" },
        opts: SYNC_JOB_OPTIONS,
      },
    );
    await vi.waitFor(
      async () => {
        const completed = await queue.getJobs(["completed"]);
        const scheduled = completed.find((job) => job?.repeatJobKey === schedulerId("busy", "incremental"));
        expect(scheduled?.returnvalue).toEqual({
          projectId: "busy",
          mode: "incremental",
          skipped: "project busy",
        });
      },
      { timeout: 30_000, interval: 100 },
    );
    // The manual job keeps trying, and is neither failed nor run meanwhile.
    await vi.waitFor(
      async () => expect((await queue.getJob(manual.jobId))?.attemptsStarted).toBeGreaterThanOrEqual(3),
      { timeout: 30_000, interval: 100 },
    );
    expect(await queue.getJobState(manual.jobId)).not.toBe("failed");
    expect(await runsOf("busy")).toEqual([]);

    await lock.release();
    const [outcome] = await waitForSyncs(queue, events, [manual]);
    expect(outcome?.outcome).toBe("completed");
    expect((await queue.getJob(manual.jobId))?.attemptsMade).toBe(1);
    expect((await runsOf("busy")).map((r) => [r.mode, r.trigger, r.status])).toEqual([
      ["full", "manual", "succeeded"],
    ]);
    await queue.removeJobScheduler(schedulerId("busy", "incremental"));
  });

  it("first start: a scheduled incremental of a never-mirrored project leaves the reading to the full", async () => {
    const data: SyncJobData = { projectId: "first-start", mode: "incremental", trigger: "schedule" };
    await queue.upsertJobScheduler(
      schedulerId("first-start", "incremental"),
      { every: 86_400_000 },
      { name: "incremental first-start", data, opts: SYNC_JOB_OPTIONS },
    );
    await vi.waitFor(
      async () => {
        const completed = await queue.getJobs(["completed"]);
        const job = completed.find((j) => j?.repeatJobKey === schedulerId("first-start", "incremental"));
        expect(job?.returnvalue).toEqual({
          projectId: "first-start",
          mode: "incremental",
          skipped: "awaiting first full",
        });
      },
      { timeout: 30_000, interval: 100 },
    );
    expect(await runsOf("first-start")).toEqual([]);
    expect(sim.requests.filter((r) => r.projectId === "first-start")).toEqual([]);
    await queue.removeJobScheduler(schedulerId("first-start", "incremental"));
  });

  it("holds the account through a 429 storm, then completes without spending an attempt", async () => {
    const hold = vi.spyOn(AccountHolds.prototype, "hold");
    sim.setBehaviour({ throttleRate: 1 });
    const enqueued = await enqueueSync(queue, { projectId: "storm", mode: "full", trigger: "manual" });
    await vi.waitFor(
      async () => {
        const failed = (await runsOf("storm")).filter((r) => r.status === "failed");
        expect(failed.length).toBeGreaterThan(0);
      },
      { timeout: 30_000, interval: 100 },
    );
    sim.setBehaviour({ throttleRate: 0 });

    const [outcome] = await waitForSyncs(queue, events, [enqueued]);
    // At least the Retry-After (1 s), for every worker of the queue, on this account only.
    expect(hold).toHaveBeenCalled();
    expect(hold.mock.calls.every(([account]) => account.startsWith("default-"))).toBe(true);
    expect(Math.min(...hold.mock.calls.map(([, ms]) => ms))).toBeGreaterThanOrEqual(1000);
    hold.mockRestore();
    expect(outcome?.outcome).toBe("completed");
    const job = await queue.getJob(enqueued.jobId);
    // Throttled runs went back to the queue: only the attempt that completed counts.
    expect(job?.attemptsMade).toBe(1);
    expect(job?.attemptsStarted).toBeGreaterThan(1);
    const runs = await runsOf("storm");
    expect(runs.at(-1)?.status).toBe("succeeded");
    expect(
      runs.slice(0, -1).every((r) => r.status === "failed" && /429|throttl|APIGW/i.test(r.error ?? "")),
    ).toBe(true);
    await expectExactMirror(database, sim, "storm");
  });

  it("fails a job at once when the upstream refuses the credentials", async () => {
    const otherPrefix = randomPrefix();
    const refusing = await startTestWorker(
      workerEnv({
        sim,
        databaseUrl: database.url,
        prefix: otherPrefix,
        projectIds: PROJECTS,
        extra: { METASTUDIO_AUTH_TOKEN: WRONG_TOKEN },
      }),
    );
    const otherQueue = createSyncQueue({ connection: redis, prefix: otherPrefix });
    const otherEvents = new QueueEvents(SYNC_QUEUE_NAME, {
      connection: { url: inject("redisUrl") },
      prefix: otherPrefix,
    });
    try {
      await otherEvents.waitUntilReady();
      const enqueued = await enqueueSync(otherQueue, {
        projectId: "refused",
        mode: "incremental",
        trigger: "manual",
      });
      const [outcome] = await waitForSyncs(otherQueue, otherEvents, [enqueued]);
      expect(outcome?.outcome).toBe("failed");
      expect(outcome?.outcome === "failed" && outcome.reason).toMatch(/not retried/);
      expect((await otherQueue.getJob(enqueued.jobId))?.attemptsMade).toBe(1);

      // A job naming a project the worker is not configured for never reaches the upstream.
      const stranger = await enqueueSync(otherQueue, {
        projectId: "stranger",
        mode: "full",
        trigger: "manual",
      });
      const [refused] = await waitForSyncs(otherQueue, otherEvents, [stranger]);
      expect(refused?.outcome === "failed" && refused.reason).toMatch(
        /not configured in any worker of this queue/,
      );
      expect(await runsOf("stranger")).toEqual([]);
      expect(await dumpRedis(otherPrefix)).not.toContain(WRONG_TOKEN);
    } finally {
      await refusing.close();
      await otherEvents.close();
      await otherQueue.obliterate({ force: true });
      await otherQueue.close();
    }
  });

  it("bounds what a job's data puts in its failedReason and stack: a project ID that is not one", async () => {
    // Whoever can write to Redis can add a job; its project ID reached the message unclipped.
    const projectId = `\u001b[2J${"x".repeat(100_000)}`;
    const job = await queue.add(
      "full hostile",
      { projectId, mode: "full", trigger: "manual" },
      SYNC_JOB_OPTIONS,
    );
    const [outcome] = await waitForSyncs(queue, events, [{ jobId: job.id!, projectId: "hostile" }]);
    expect(outcome?.outcome).toBe("failed");
    const failed = await queue.getJob(job.id!);
    expect(failed?.failedReason).toMatch(/not a sync job \(project \\x1b\[2Jxxx/);
    expect(failed?.failedReason.length).toBeLessThan(500);
    expect(failed?.failedReason).not.toContain("\u001b");
    expect((failed?.stacktrace ?? []).join("\n").length).toBeLessThan(5000);
    expect(failed?.attemptsMade).toBe(1);
  });

  it("keeps credentials out of Redis: job data, results, events and schedules", async () => {
    const dump = await dumpRedis(prefix);
    expect(dump).toContain("dedup-manual");
    expect(dump).toContain("roomsSeen");
    expect(dump).not.toContain(SECRET_TOKEN);
    expect(dump.toLowerCase()).not.toContain("x-auth-token");
  });
});

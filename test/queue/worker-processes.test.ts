import { spawn } from "node:child_process";
import { hostname } from "node:os";

import { asc, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";

import { syncRuns } from "../../src/db/schema.js";
import { enqueueSync } from "../../src/queue/enqueue-sync.js";
import { type EnqueuedSync } from "../../src/queue/sync-queue.js";
import { waitForSyncs } from "../../src/queue/wait-for-syncs.js";
import { expectExactMirror } from "../support/sync-harness.js";
import { useTestDatabase } from "../support/use-test-database.js";
import { useWorkerFleet } from "./fixtures/use-worker-fleet.js";
import { SECRET_TOKEN, spawnWorker, workerEnv, type WorkerProcess } from "./worker-fixture.js";

const FLEET = Array.from({ length: 20 }, (_, i) => `fleet-${String(i).padStart(2, "0")}`);
const PROJECTS = [...FLEET, "killed", "drained", "aborted"];

const database = useTestDatabase();
const fleet = useWorkerFleet({
  projectIds: PROJECTS,
  roomsPerProject: 300,
  credentials: { accessKeys: {}, tokens: [SECRET_TOKEN], iamUsers: [] },
});

/** Short locks and stalled checks, so a killed worker's job is retaken in seconds. */
function env(extra: Record<string, string> = {}) {
  return workerEnv({
    sim: fleet.sim,
    databaseUrl: database.url,
    prefix: fleet.prefix,
    projectIds: PROJECTS,
    extra: { TEST_LOCK_MS: "2000", TEST_STALLED_MS: "1000", TEST_BUSY_RETRY_MS: "200", ...extra },
  });
}

async function worker(extra: Record<string, string> = {}): Promise<WorkerProcess> {
  const started = await spawnWorker(env(extra));
  fleet.spawned.push(started);
  return started;
}

async function runsOf(projectId: string) {
  return database.db
    .select()
    .from(syncRuns)
    .where(eq(syncRuns.projectId, projectId))
    .orderBy(asc(syncRuns.startedAt));
}

/** The simulator saw this many list requests for the project: the run is under way. */
async function waitForRequests(projectId: string, count: number): Promise<void> {
  await vi.waitFor(
    () =>
      expect(fleet.sim.requests.filter((r) => r.projectId === projectId).length).toBeGreaterThanOrEqual(
        count,
      ),
    { timeout: 30_000, interval: 50 },
  );
}

async function expectCompleted(enqueued: EnqueuedSync[]): Promise<void> {
  const outcomes = await waitForSyncs(fleet.queue, fleet.events, enqueued);
  expect(outcomes.filter((o) => o.outcome !== "completed")).toEqual([]);
}

describe("worker processes", () => {
  it("two processes sync 20 projects: every project synced, never two runs of one project at once", async () => {
    fleet.sim.setBehaviour({ latencyMs: 20 });
    const workers = [await worker({ WORKER_CONCURRENCY: "3" }), await worker({ WORKER_CONCURRENCY: "3" })];
    // A full and an incremental per project: the two often meet on the same project.
    const enqueued: EnqueuedSync[] = [];
    for (const projectId of FLEET) {
      enqueued.push(await enqueueSync(fleet.queue, { projectId, mode: "full", trigger: "manual" }));
      enqueued.push(await enqueueSync(fleet.queue, { projectId, mode: "incremental", trigger: "manual" }));
    }
    expect(enqueued.every((e) => !e.deduplicated)).toBe(true);
    await expectCompleted(enqueued);
    const jobs = await Promise.all(enqueued.map((e) => fleet.queue.getJob(e.jobId)));
    const processedBy = new Set(jobs.map((job) => job?.processedBy));
    expect([...processedBy].sort()).toEqual(workers.map((w) => `${hostname()}:${w.child.pid}`).sort());

    for (const projectId of FLEET) {
      const runs = await runsOf(projectId);
      expect(runs.map((r) => r.status)).toEqual(["succeeded", "succeeded"]);
      expect(runs.map((r) => r.mode).sort()).toEqual(["full", "incremental"]);
      for (let i = 1; i < runs.length; i += 1) {
        expect(runs[i]!.startedAt.getTime()).toBeGreaterThanOrEqual(runs[i - 1]!.finishedAt!.getTime());
      }
      await expectExactMirror(database, fleet.sim, projectId);
    }

    for (const w of workers) w.child.kill("SIGTERM");
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);
  });

  it("a worker killed mid-run: another takes the job over and the mirror is exact", async () => {
    fleet.sim.setBehaviour({ latencyMs: 400 });
    const victim = await worker();
    const enqueued = await enqueueSync(fleet.queue, { projectId: "killed", mode: "full", trigger: "manual" });
    await waitForRequests("killed", 2);
    victim.child.kill("SIGKILL");
    expect(await victim.exited).toBe("SIGKILL");
    fleet.sim
      .rooms("killed")
      .slice(0, 5)
      .forEach((room) => fleet.sim.updateRoom("killed", String(room.room_id)));
    fleet.sim.setBehaviour({ latencyMs: 0 });

    const rescuer = await worker();
    await expectCompleted([enqueued]);
    const runs = await runsOf("killed");
    expect(runs.at(-1)?.status).toBe("succeeded");
    // The killed run never finished; the rescuer's run recorded it as interrupted.
    expect(runs[0]?.status).toBe("failed");
    expect(runs[0]?.error).toMatch(/interrupted/);
    await expectExactMirror(database, fleet.sim, "killed");
    rescuer.child.kill("SIGTERM");
    expect(await rescuer.exited).toBe(0);
  });

  it("SIGTERM lets the running sync finish, then the worker exits 0", async () => {
    fleet.sim.setBehaviour({ latencyMs: 300 });
    // The real command, admin server and schedules included.
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "worker"], {
      env: {
        ...process.env,
        ...env({ METASTUDIO_PROJECT_IDS: "drained", ADMIN_PORT: "0", SYNC_INCREMENTAL_EVERY: "1d" }),
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | string>((resolve) =>
      child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)),
    );
    fleet.spawned.push({ child, exited, stderr: () => stderr });
    await waitForRequests("drained", 2);
    child.kill("SIGTERM");
    expect(await exited, stderr).toBe(0);

    const runs = await runsOf("drained");
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.map((r) => r.status)).toEqual(runs.map(() => "succeeded"));
    fleet.sim.setBehaviour({ latencyMs: 0 });
  });

  it("a sync still running when the shutdown grace ends is aborted, handed back, and finished by another worker", async () => {
    fleet.sim.setBehaviour({ latencyMs: 400 });
    const stopping = await worker({ TEST_SHUTDOWN_MS: "200" });
    const enqueued = await enqueueSync(fleet.queue, {
      projectId: "aborted",
      mode: "full",
      trigger: "manual",
    });
    await waitForRequests("aborted", 2);
    stopping.child.kill("SIGTERM");
    expect(await stopping.exited).toBe(0);
    expect(await fleet.queue.getJobState(enqueued.jobId)).toBe("waiting");
    expect((await runsOf("aborted")).map((r) => r.status)).toEqual(["failed"]);

    fleet.sim.setBehaviour({ latencyMs: 0 });
    const next = await worker();
    await expectCompleted([enqueued]);
    expect((await runsOf("aborted")).map((r) => r.status)).toEqual(["failed", "succeeded"]);
    await expectExactMirror(database, fleet.sim, "aborted");
    next.child.kill("SIGTERM");
    expect(await next.exited).toBe(0);
  });
});

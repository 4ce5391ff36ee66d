import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import type { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import type { RunningWorker } from "../../src/runtime/start-worker.js";
import { createSyncQueue, type SyncJobData } from "../../src/queue/sync-queue.js";
import { startSimulator, type Simulator } from "../../src/simulator/simulator.js";
import { randomPrefix } from "../support/test-database.js";
import { useTestDatabase } from "../support/use-test-database.js";
import { SECRET_TOKEN, startTestWorker, workerEnv } from "./worker-fixture.js";

const run = promisify(execFile);

const database = useTestDatabase();
let sim: Simulator;
let worker: RunningWorker;
const prefix = randomPrefix();

beforeAll(async () => {
  sim = await startSimulator({
    projectIds: ["alpha", "beta"],
    roomsPerProject: 200,
    credentials: { accessKeys: {}, tokens: [SECRET_TOKEN], iamUsers: [] },
  });
  worker = await startTestWorker(
    workerEnv({ sim, databaseUrl: database.url, prefix, projectIds: ["alpha", "beta"] }),
  );
});

afterAll(async () => {
  await worker?.close();
  const redis = new Redis(inject("redisUrl"));
  const queue = createSyncQueue({ connection: redis, prefix });
  await queue.obliterate({ force: true });
  await queue.close();
  await redis.quit();
  await sim?.close();
});

/** The real command; only the variables given, so nothing leaks in from the test's environment. */
async function cli(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "silent", ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("metastudio-sync resync and worker", () => {
  it("refuse bad usage with exit 2 and a message naming the variable or flag", async () => {
    const base = { METASTUDIO_PROJECT_IDS: "alpha,beta" };
    const redis = { ...base, REDIS_URL: inject("redisUrl") };
    const [noRedis, noTarget, unknown, redisDown, workerNoRedis, workerEmbedded] = await Promise.all([
      cli(["resync", "--all"], base),
      cli(["resync"], redis),
      cli(["resync", "--project", "gamma"], redis),
      cli(["resync", "--all"], { ...base, REDIS_URL: "redis://:hunter2@127.0.0.1:1" }),
      cli(
        ["worker"],
        workerEnv({
          sim,
          databaseUrl: database.url,
          prefix,
          projectIds: ["alpha"],
          extra: { REDIS_URL: "" },
        }),
      ),
      // The embedded database is a one-process store: a worker there must be asked for.
      cli(
        ["worker"],
        workerEnv({
          sim,
          databaseUrl: "",
          prefix,
          projectIds: ["alpha"],
          extra: { REDIS_URL: inject("redisUrl") },
        }),
      ),
    ]);
    expect(noRedis).toMatchObject({ code: 2, stderr: expect.stringContaining("REDIS_URL") });
    expect(noTarget).toMatchObject({ code: 2, stderr: expect.stringMatching(/--project.*--all/) });
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringContaining("--project gamma") });
    expect(workerNoRedis).toMatchObject({ code: 2, stderr: expect.stringContaining("REDIS_URL") });
    expect(workerEmbedded).toMatchObject({ code: 2, stderr: expect.stringContaining("DATABASE_URL") });
    expect(workerEmbedded.stderr).toContain("--allow-embedded");
    // Redis down is not a usage error; the message names the variable, never its password.
    expect(redisDown).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("REDIS_URL does not answer"),
    });
    expect(redisDown.stderr).not.toContain("hunter2");
    for (const result of [noRedis, noTarget, unknown, workerNoRedis, workerEmbedded, redisDown])
      expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("--help lists the flags and the environment", async () => {
    const [resync, worker] = await Promise.all([
      cli(["resync", "--help"], {}),
      cli(["worker", "--help"], {}),
    ]);
    for (const flag of [
      "--project",
      "--all",
      "--full",
      "--wait",
      "REDIS_URL",
      "QUEUE_PREFIX",
      "METASTUDIO_PROJECT_IDS",
    ]) {
      expect(resync.stdout).toContain(flag);
    }
    for (const name of [
      "REDIS_URL",
      "SYNC_INCREMENTAL_EVERY",
      "SYNC_FULL_EVERY",
      "WORKER_CONCURRENCY",
      "ADMIN_TOKEN",
      "QUEUE_PREFIX",
    ]) {
      expect(worker.stdout).toContain(name);
    }
  });

  it("--wait follows each job to its end, prints the summaries and exits 0", async () => {
    const result = await cli(["resync", "--project", "alpha", "--project", "beta", "--full", "--wait"], {
      METASTUDIO_PROJECT_IDS: "alpha,beta",
      REDIS_URL: inject("redisUrl"),
      QUEUE_PREFIX: prefix,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("enqueued: full sync of alpha");
    expect(result.stdout).toContain("enqueued: full sync of beta");
    expect(result.stdout).toMatch(/alpha\s+full\s+succeeded\s+\d+\s+200\s+200/);
    expect(result.stdout).toMatch(/beta\s+full\s+succeeded\s+\d+\s+200\s+200/);
    // The worker claims both: nothing to warn about.
    expect(result.stderr).not.toContain("warning");
  });

  it("--wait exits 1 when a job fails, saying why", async () => {
    // The worker is configured for alpha and beta only; it refuses the job.
    const result = await cli(["resync", "--project", "delta", "--wait"], {
      METASTUDIO_PROJECT_IDS: "alpha,beta,delta",
      REDIS_URL: inject("redisUrl"),
      QUEUE_PREFIX: prefix,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("delta: Project delta is not configured in any worker of this queue");
  });

  it("--all reads only the projects of an accounts file, none of its credentials", async () => {
    const dir = mkdtempSync(join(tmpdir(), "msync-resync-"));
    const file = join(dir, "accounts.yaml");
    writeFileSync(
      file,
      `accounts:\n  - { name: a, endpoint: "\${UNSET_ENDPOINT}", token: "\${UNSET_TOKEN}", projects: [alpha, beta] }\n`,
    );
    const idle = randomPrefix();
    const result = await cli(["resync", "--all"], {
      METASTUDIO_CONFIG: file,
      REDIS_URL: inject("redisUrl"),
      QUEUE_PREFIX: idle,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^enqueued: incremental sync of alpha/m);
    expect(result.stdout).toMatch(/^enqueued: incremental sync of beta/m);
    const redis = new Redis(inject("redisUrl"));
    const queue: Queue<SyncJobData> = createSyncQueue({ connection: redis, prefix: idle });
    await queue.obliterate({ force: true });
    await queue.close();
    await redis.quit();
  });

  it("says which projects were already queued", async () => {
    // No worker on this prefix: the first jobs stay waiting.
    const idle = randomPrefix();
    const env = { METASTUDIO_PROJECT_IDS: "alpha,beta", REDIS_URL: inject("redisUrl"), QUEUE_PREFIX: idle };
    const first = await cli(["resync", "--project", "alpha"], env);
    const second = await cli(["resync", "--all"], env);
    expect(first.stdout).toMatch(/^enqueued: incremental sync of alpha/m);
    expect(second.stdout).toMatch(/^already queued: incremental sync of alpha/m);
    expect(second.stdout).toMatch(/^enqueued: incremental sync of beta/m);
    // Without the warning, `--wait` here would wait without a word for a worker that never comes.
    expect(second.stderr).toContain(
      `warning: no worker on this queue (QUEUE_PREFIX "${idle}") is configured for alpha, beta; the job waits until one that is starts`,
    );
    const redis = new Redis(inject("redisUrl"));
    const queue: Queue<SyncJobData> = createSyncQueue({ connection: redis, prefix: idle });
    expect(await queue.getJobCounts("wait")).toEqual({ wait: 2 });
    await queue.obliterate({ force: true });
    await queue.close();
    await redis.quit();
  });
});

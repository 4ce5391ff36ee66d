/**
 * The many-tenants scenario: `projects` projects of `rooms` rooms each, mirrored through the real
 * `metastudio-sync worker` command in two processes sharing one Redis and one Postgres. Measures
 * the time from enqueueing a full sync of every project to the last one committed, and checks
 * that every project's mirror holds all its rooms.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";

import { Redis } from "ioredis";
import pg from "pg";

import { enqueueSync } from "../src/queue/enqueue-sync.js";
import { createSyncQueue } from "../src/queue/sync-queue.js";
import { startSimulator } from "../src/simulator/simulator.js";
import { binNodeFlags, CLI, vmHwmKb } from "./run-cli.js";

export interface TenantsResult {
  projects: number;
  roomsPerProject: number;
  workers: number;
  wallMs: number;
  requests: number;
  runs: number;
  /** Projects whose mirror holds every room the simulator serves. */
  exact: number;
  peakRssMb: number[];
}

const TOKEN = "bench-token";

export async function measureTenants(options: {
  databaseUrl: string;
  redisUrl: string;
  projects: number;
  rooms: number;
  latencyMs: number;
  /** @default 2 */
  workers?: number;
}): Promise<TenantsResult> {
  const projectIds = Array.from(
    { length: options.projects },
    (_, i) => `tenant-${String(i).padStart(3, "0")}`,
  );
  const sim = await startSimulator({
    projectIds,
    roomsPerProject: options.rooms,
    seed: 7,
    credentials: { accessKeys: {}, tokens: [TOKEN], iamUsers: [] },
    behaviour: { latencyMs: options.latencyMs },
  });
  const prefix = `msync-bench-${randomBytes(4).toString("hex")}`;
  const env = {
    ...process.env,
    METASTUDIO_ENDPOINT: sim.url,
    METASTUDIO_PROJECT_IDS: projectIds.join(","),
    METASTUDIO_AUTH_TOKEN: TOKEN,
    METASTUDIO_RATE_LIMIT: "10000",
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    QUEUE_PREFIX: prefix,
    ADMIN_PORT: "0",
    ADMIN_TOKEN: randomBytes(16).toString("hex"),
    LOG_LEVEL: "warn",
    // Schedules that do not fire during the bench: it measures the manual full syncs alone.
    SYNC_INCREMENTAL_EVERY: "0 0 1 1 *",
    SYNC_FULL_EVERY: "0 0 1 1 *",
  };
  const workers: ChildProcess[] = [];
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const queue = createSyncQueue({ connection: redis, prefix });
  const db = new pg.Client({ connectionString: options.databaseUrl });
  await db.connect();
  try {
    for (let i = 0; i < (options.workers ?? 2); i += 1) {
      workers.push(
        spawn(process.execPath, [...binNodeFlags(), CLI, "worker"], {
          env,
          stdio: ["ignore", "ignore", "inherit"],
        }),
      );
    }
    await until(async () => (await queue.getWorkers()).length >= workers.length, 60_000, "workers to start");
    const started = performance.now();
    await Promise.all(projectIds.map((projectId) => enqueueSync(queue, { projectId, mode: "full" })));
    const done = async () => {
      const { rows } = await db.query<{ n: number }>(
        "select count(distinct project_id)::int as n from sync_runs where status = 'succeeded'",
      );
      return rows[0]!.n >= projectIds.length;
    };
    await until(done, 30 * 60_000, "every project to be mirrored");
    const wallMs = performance.now() - started;
    const peakRssMb = workers.map((w) => Math.round(vmHwmKb(w.pid) / 1024));
    const { rows: counts } = await db.query<{ project_id: string; n: number }>(
      "select project_id, count(*)::int as n from smart_chat_rooms where deleted_at is null group by 1",
    );
    const exact = counts.filter((row) => row.n === sim.rooms(row.project_id).length).length;
    const { rows: totals } = await db.query<{ requests: number; runs: number }>(
      "select coalesce(sum(requests), 0)::int as requests, count(*)::int as runs from sync_runs",
    );
    return {
      projects: projectIds.length,
      roomsPerProject: options.rooms,
      workers: workers.length,
      wallMs,
      requests: totals[0]!.requests,
      runs: totals[0]!.runs,
      exact,
      peakRssMb,
    };
  } finally {
    await Promise.all(workers.map((w) => stop(w)));
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    await redis.quit();
    await db.end();
    await sim.close();
  }
}

/** Polls `check` every 200 ms; a bench that never finishes must still end, with the reason. */
async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

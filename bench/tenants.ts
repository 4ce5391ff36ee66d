/**
 * The many-tenants scenario: `projects` projects of `rooms` rooms each, spread over `accounts`
 * accounts in two regions, mirrored from one accounts file through the real `metastudio-sync
 * worker` command in two processes sharing one Redis and one Postgres. Each account is its own
 * simulator (its own endpoint and token) throttling at its own rate, as MetaStudio throttles per
 * tenant. Measures the time from enqueueing a full sync of every project to the last one
 * committed, per account too (no account should wait on another's limit), and checks that every
 * project's mirror holds all its rooms.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { Redis } from "ioredis";
import pg from "pg";

import { enqueueSync } from "../src/queue/enqueue-sync.js";
import { createSyncQueue } from "../src/queue/sync-queue.js";
import { startSimulator, type Simulator } from "../src/simulator/simulator.js";
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
  accounts: AccountResult[];
}

export interface AccountResult {
  name: string;
  projects: number;
  rateLimit: number;
  /** From enqueueing to this account's last project mirrored. */
  doneMs: number;
  requests: number;
  throttled: number;
}

interface BenchAccount {
  name: string;
  token: string;
  projectIds: string[];
  sim: Simulator;
}

export async function measureTenants(options: {
  databaseUrl: string;
  redisUrl: string;
  projects: number;
  rooms: number;
  latencyMs: number;
  /** @default 2 */
  workers?: number;
  /** Accounts the projects are spread over, alternating between two regions. @default 4 */
  accounts?: number;
  /** Each account's simulated throttle (requests per second); the client is set just under it. @default 40 */
  accountRate?: number;
}): Promise<TenantsResult> {
  const accountCount = Math.max(1, Math.min(options.accounts ?? 4, options.projects));
  const rate = options.accountRate ?? 40;
  const projectIds = Array.from(
    { length: options.projects },
    (_, i) => `tenant-${String(i).padStart(3, "0")}`,
  );
  const accounts: BenchAccount[] = [];
  for (let a = 0; a < accountCount; a += 1) {
    const token = `bench-token-${a}`;
    const own = projectIds.filter((_, i) => i % accountCount === a);
    const sim = await startSimulator({
      projectIds: own,
      roomsPerProject: options.rooms,
      seed: 7 + a,
      credentials: { accessKeys: {}, tokens: [token], iamUsers: [] },
      behaviour: { latencyMs: options.latencyMs, rateLimitPerSecond: rate },
    });
    accounts.push({ name: `${a % 2 === 0 ? "cn" : "ap"}-account-${a}`, token, projectIds: own, sim });
  }
  const configFile = join(mkdtempSync(join(tmpdir(), "msync-bench-")), "accounts.json");
  writeFileSync(
    configFile,
    JSON.stringify({
      accounts: accounts.map((a, i) => ({
        name: a.name,
        endpoint: a.sim.url,
        token: `\${BENCH_TOKEN_${i}}`,
        rate_limit: Math.max(1, Math.floor(rate * 0.8)),
        projects: a.projectIds,
      })),
    }),
  );
  const prefix = `msync-bench-${randomBytes(4).toString("hex")}`;
  const {
    METASTUDIO_ENDPOINT: _e,
    METASTUDIO_PROJECT_IDS: _p,
    METASTUDIO_AUTH_TOKEN: _t,
    ...inherited
  } = process.env;
  const env = {
    ...inherited,
    METASTUDIO_CONFIG: configFile,
    ...Object.fromEntries(accounts.map((a, i) => [`BENCH_TOKEN_${i}`, a.token])),
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
    const doneMs = new Map<string, number>();
    const done = async () => {
      const { rows } = await db.query<{ project_id: string }>(
        "select distinct project_id from sync_runs where status = 'succeeded'",
      );
      const mirrored = new Set(rows.map((row) => row.project_id));
      for (const account of accounts) {
        if (!doneMs.has(account.name) && account.projectIds.every((id) => mirrored.has(id))) {
          doneMs.set(account.name, performance.now() - started);
        }
      }
      return mirrored.size >= projectIds.length;
    };
    await until(done, 30 * 60_000, "every project to be mirrored");
    const wallMs = performance.now() - started;
    const peakRssMb = workers.map((w) => Math.round(vmHwmKb(w.pid) / 1024));
    const { rows: counts } = await db.query<{ project_id: string; n: number }>(
      "select project_id, count(*)::int as n from smart_chat_rooms where deleted_at is null group by 1",
    );
    const simOf = new Map(accounts.flatMap((a) => a.projectIds.map((id) => [id, a.sim] as const)));
    const exact = counts.filter(
      (row) => row.n === simOf.get(row.project_id)?.rooms(row.project_id).length,
    ).length;
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
      accounts: accounts.map((a) => ({
        name: a.name,
        projects: a.projectIds.length,
        rateLimit: rate,
        doneMs: doneMs.get(a.name) ?? Number.NaN,
        requests: a.sim.requestsServed,
        throttled: a.sim.requests.filter((r) => r.status === 429).length,
      })),
    };
  } finally {
    await Promise.all(workers.map((w) => stop(w)));
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    await redis.quit();
    await db.end();
    await Promise.all(accounts.map((a) => a.sim.close()));
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

/**
 * `npm run bench`: metastudio-sync against the hand-written baseline, over real HTTP (the
 * bundled simulator, 20 ms per response, no rate limit) into real Postgres (DATABASE_URL).
 *   npm run bench                    # 1k, 10k and 100k rooms
 *   npm run bench -- --sizes 2000    # what CI runs
 *   npm run bench -- --huge          # adds 1M rooms
 *   npm run bench -- --tenants 0     # skips the many-tenants scenario (needs REDIS_URL)
 *   npm run bench -- --sizes 100 --no-baseline --tenants 4 --tenant-rooms 100000 --tenant-workers 1
 *                                    # one worker syncing four 100k projects at once
 *   npm run bench -- --no-limits     # skips fetch-only and COPY, the in-run limit
 *   npm run bench -- --churn-rooms 0 # skips the full run under churn (bench/churn.ts)
 */
import { randomBytes } from "node:crypto";
import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";

import pg from "pg";

import { table } from "../src/cli/format-summary.js";
import { startSimulator, type Simulator } from "../src/simulator/simulator.js";
import type { RunSummary } from "../src/sync/run-summary.js";
import { measureLimits, type Limits } from "./limits.js";
import { benchChurn } from "./churn.js";
import { expectExactMirror } from "./expect-exact-mirror.js";
import { naiveSync } from "./naive-sync.js";
import { meterPostgresCpu } from "./postgres-cpu.js";
import { BENCH_TOKEN, benchCliEnv, runCli } from "./run-cli.js";
import { isFullRun, SCENARIOS, type ScenarioResult } from "./scenarios.js";
import { withScratchDatabase } from "./scratch-database.js";
import { limitsTable, targetsTable } from "./targets.js";
import { measureTenants } from "./tenants.js";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "1000,10000,100000" },
    huge: { type: "boolean", default: false },
    latency: { type: "string", default: "20" },
    baseline: { type: "boolean", default: true },
    "no-baseline": { type: "boolean", default: false },
    tenants: { type: "string", default: "200" },
    "tenant-rooms": { type: "string", default: "500" },
    "tenant-workers": { type: "string", default: "2" },
    "no-limits": { type: "boolean", default: false },
    "churn-rooms": { type: "string", default: "3000" },
  },
});
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) {
  process.stderr.write("npm run bench needs DATABASE_URL (a Postgres it may create databases in).\n");
  process.exit(2);
}
const sizes = values.sizes.split(",").map(Number);
if (values.huge) sizes.push(1_000_000);
const impls: Array<ScenarioResult["impl"]> = values["no-baseline"]
  ? ["metastudio-sync"]
  : ["metastudio-sync", "naive"];

const limitsBySize = new Map<number, Limits>();

const withDatabase = <T>(name: string, work: (url: string) => Promise<T>): Promise<T> =>
  withScratchDatabase(adminUrl, name, work);

/** Changes 1% of the rooms upstream, spread over the whole list. */
function mutateOnePercent(sim: Simulator, projectId: string): void {
  const all = sim.rooms(projectId);
  const step = Math.max(1, Math.floor(all.length / Math.max(1, Math.round(all.length / 100))));
  for (let i = 0; i < all.length; i += step) {
    sim.updateRoom(projectId, String(all[i]!.room_id), { room_name: `changed ${i}` });
  }
}

async function measure(impl: ScenarioResult["impl"], rooms: number): Promise<ScenarioResult[]> {
  const projectId = `bench-${rooms}`;
  // A fresh simulator per implementation: the same seed gives both the same rooms.
  const sim = await startSimulator({
    projectIds: [projectId],
    roomsPerProject: rooms,
    seed: 42,
    credentials: { accessKeys: {}, tokens: [BENCH_TOKEN], iamUsers: [] },
    behaviour: { latencyMs: Number(values.latency) },
  });
  try {
    // The limit first, on the same rooms: fetch-only from this simulator, COPY into a database
    // of its own, freshly migrated like the one the engine's first full sync starts from.
    if (impl === "metastudio-sync" && !values["no-limits"]) {
      const env = benchCliEnv(sim.url, projectId, "");
      limitsBySize.set(
        rooms,
        await measureLimits(env, (work) =>
          withDatabase(`msync_bench_${randomBytes(3).toString("hex")}`, work),
        ),
      );
    }
    return await withDatabase(`msync_bench_${randomBytes(3).toString("hex")}`, async (url) => {
      const results: ScenarioResult[] = [];
      const pool = impl === "naive" ? new pg.Pool({ connectionString: url, max: 2 }) : undefined;
      // An idle client's error (the database dropped under it) must not crash the bench.
      pool?.on("error", (error) => process.stderr.write(`bench: naive pool: ${error.message}\n`));
      try {
        for (const scenario of SCENARIOS) {
          if (scenario === "incremental 1%") mutateOnePercent(sim, projectId);
          results.push(
            pool
              ? await naiveScenario(scenario, sim.url, projectId, pool)
              : await ourScenario(scenario, sim.url, projectId, url),
          );
          await expectExactMirror(url, projectId, sim.rooms(projectId), `${impl}'s ${scenario} run`);
        }
      } finally {
        await pool?.end();
      }
      return results;
    });
  } finally {
    await sim.close();
  }
}

/** metastudio-sync as users run it: the compiled CLI in a process of its own, with defaults. */
async function ourScenario(
  scenario: ScenarioResult["scenario"],
  endpoint: string,
  projectId: string,
  databaseUrl: string,
): Promise<ScenarioResult> {
  const postgres = await meterPostgresCpu(adminUrl!, new URL(databaseUrl).pathname.slice(1));
  const run = await runCli(
    ["sync", ...(isFullRun(scenario) ? ["--full"] : []), "--json"],
    benchCliEnv(endpoint, projectId, databaseUrl),
  );
  const postgresCpuSeconds = await postgres.stop();
  const { stdout, peakRssMb } = run;
  const [summary] = JSON.parse(stdout) as RunSummary[];
  if (!summary) throw new Error(`sync printed no summary: ${stdout}`);
  if (summary.status !== "succeeded") {
    throw new Error(`bench: the ${scenario} run ${summary.status}: ${summary.error ?? "no error recorded"}`);
  }
  return {
    impl: "metastudio-sync",
    scenario,
    wallMs: summary.durationMs,
    requests: summary.counts.requests,
    roomRows: summary.roomRowsWritten,
    voiceRows: summary.voiceRowsWritten,
    peakRssMb,
    processWallMs: run.wallMs,
    nodeCpuSeconds: run.cpuSeconds,
    postgresCpuSeconds,
    fetchMs: summary.fetchMs,
    validateMs: summary.validateMs,
    writeMs: summary.writeMs,
  };
}

/** The hand-written script has no incremental mode: every run reads and writes everything. */
async function naiveScenario(
  scenario: ScenarioResult["scenario"],
  endpoint: string,
  projectId: string,
  pool: pg.Pool,
): Promise<ScenarioResult> {
  const started = performance.now();
  const result = await naiveSync({ endpoint, projectId, token: BENCH_TOKEN, pool });
  return {
    impl: "naive",
    scenario,
    wallMs: performance.now() - started,
    requests: result.requests,
    roomRows: result.roomRowsWritten,
    voiceRows: result.voiceRowsWritten,
    peakRssMb: undefined,
  };
}

const rows: Array<Array<string | number>> = [];
const byKey = new Map<string, ScenarioResult>();
for (const rooms of sizes) {
  for (const impl of impls) {
    process.stderr.write(`bench: ${impl}, ${rooms} rooms...\n`);
    for (const result of await measure(impl, rooms)) {
      byKey.set(`${impl}/${rooms}/${result.scenario}`, result);
      const minimum = Math.ceil(rooms / 100);
      const split =
        result.fetchMs === undefined
          ? "-"
          : (() => {
              const total = result.fetchMs + (result.writeMs ?? 0);
              const pct = (ms: number) => `${Math.round((ms / total) * 100)}%`;
              return `${pct(result.fetchMs - (result.validateMs ?? 0))}/${pct(result.validateMs ?? 0)}/${pct(result.writeMs ?? 0)}`;
            })();
      rows.push([
        rooms,
        result.scenario,
        result.impl,
        Math.round(result.wallMs),
        isFullRun(result.scenario) ? Math.round(rooms / (result.wallMs / 1000)) : "-",
        result.requests,
        isFullRun(result.scenario) ? (result.requests / minimum).toFixed(2) : "-",
        result.roomRows,
        result.voiceRows,
        result.peakRssMb ?? "-",
        split,
      ]);
    }
  }
}

process.stdout.write(
  `\nmetastudio-sync benchmark: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ` +
    `${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${values.latency} ms upstream latency, ` +
    `no rate limit\n\n`,
);
process.stdout.write(
  `${table(
    [
      "rooms",
      "scenario",
      "implementation",
      "wall ms",
      "rooms/s",
      "requests",
      "x minimum",
      "room rows",
      "voice rows",
      "peak RSS MB",
      "fetch/validate/write",
    ],
    rows,
  )}\n`,
);
if (impls.includes("naive")) {
  process.stdout.write("\nSpeed-up over the baseline (baseline wall time / metastudio-sync wall time):\n");
  const ratios: Array<Array<string | number>> = [];
  for (const rooms of sizes) {
    for (const scenario of SCENARIOS) {
      const ours = byKey.get(`metastudio-sync/${rooms}/${scenario}`);
      const naive = byKey.get(`naive/${rooms}/${scenario}`);
      if (ours && naive) {
        ratios.push([
          rooms,
          scenario,
          `${(naive.wallMs / ours.wallMs).toFixed(1)}x`,
          `${naive.roomRows} vs ${ours.roomRows}`,
        ]);
      }
    }
  }
  process.stdout.write(
    `${table(["rooms", "scenario", "speed-up", "room rows written (baseline vs ours)"], ratios)}\n`,
  );
}

if (limitsBySize.size > 0) {
  process.stdout.write(
    "\nThe limit, in the same run and on the same rooms (node CPU: the process's; Postgres CPU: its backends'):\n",
  );
  process.stdout.write(`${limitsTable(byKey, limitsBySize)}\n`);
}
const targets = targetsTable(byKey, limitsBySize, sizes, Number(values.latency));
if (targets)
  process.stdout.write(
    `\nTargets at ${Math.max(...sizes)} rooms (ratios are judged within this run):\n${targets}\n`,
  );

const churnRooms = Number(values["churn-rooms"]);
if (churnRooms > 0) await benchChurn({ rooms: churnRooms, latencyMs: Number(values.latency), withDatabase });

const tenants = Number(values.tenants);
if (tenants > 0) {
  const redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    process.stderr.write("The many-tenants scenario needs REDIS_URL (or pass --tenants 0).\n");
    process.exit(2);
  }
  const workers = Number(values["tenant-workers"]);
  process.stderr.write(`bench: ${tenants} projects through ${workers} worker process(es)...\n`);
  const result = await withDatabase(`msync_bench_${randomBytes(3).toString("hex")}`, (url) =>
    measureTenants({
      databaseUrl: url,
      redisUrl,
      projects: tenants,
      rooms: Number(values["tenant-rooms"]),
      latencyMs: Number(values.latency),
      workers,
    }),
  );
  const rooms = result.projects * result.roomsPerProject;
  process.stdout.write(
    `\nMany tenants: ${result.projects} projects of ${result.roomsPerProject} rooms, full syncs enqueued at once, ` +
      `${result.workers} \`worker\` processes (WORKER_CONCURRENCY ${process.env.WORKER_CONCURRENCY ?? 4} each)\n`,
  );
  process.stdout.write(
    `${table(
      [
        "projects",
        "rooms",
        "until all mirrored",
        "rooms/s",
        "runs",
        "requests",
        "mirrors exact",
        "peak RSS MB per worker",
      ],
      [
        [
          result.projects,
          rooms,
          `${(result.wallMs / 1000).toFixed(1)} s`,
          Math.round(rooms / (result.wallMs / 1000)),
          result.runs,
          result.requests,
          `${result.exact} of ${result.projects}`,
          result.peakRssMb.join(", "),
        ],
      ],
    )}\n`,
  );
  process.stdout.write(
    `${table(
      ["account", "projects", "simulated limit/s", "mirrored after", "requests", "429s"],
      result.accounts.map((a) => [
        a.name,
        a.projects,
        a.rateLimit,
        `${(a.doneMs / 1000).toFixed(1)} s`,
        a.requests,
        a.throttled,
      ]),
    )}\n`,
  );
  if (result.exact !== result.projects) process.exitCode = 1;
}

import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { enqueueSync } from "../../src/queue/enqueue-sync.js";
import { waitForSyncs } from "../../src/queue/wait-for-syncs.js";
import type { RunningWorker } from "../../src/runtime/start-worker.js";
import { startSimulator, type Simulator } from "../../src/simulator/simulator.js";
import { WRITE_LANES } from "../../src/sync/room-writer.js";
import { SECRET_TOKEN, seeingPool, startTestWorker, workerEnv } from "../queue/worker-fixture.js";
import { openQueueClients, type QueueClients } from "../queue/fixtures/queue-clients.js";
import { expectExactMirror } from "../support/sync-harness.js";
import { randomPrefix } from "../support/test-database.js";
import { useTestDatabase } from "../support/use-test-database.js";

/** As many as the worker runs at once. */
const PROJECTS = ["pool-a", "pool-b"];

/** The connections asked of a pool and not given back yet; `waited` counts asks beyond its size. */
interface Demand {
  now: number;
  peak: number;
  waited: number;
}

/**
 * Counts every ask for a connection (`pool.query` asks through `pool.connect` too) until its
 * release. node-postgres queues each ask for a tick even when an idle connection serves it, so
 * `waitingCount` does not tell; more asks than connections does: one of them waits.
 */
function watchDemand(pool: pg.Pool): Demand {
  const demand: Demand = { now: 0, peak: 0, waited: 0 };
  const connect = pool.connect.bind(pool) as (...args: unknown[]) => unknown;
  // Callbacks included: `pool.query` passes one.
  pool.connect = ((...args: unknown[]) => {
    demand.now += 1;
    demand.peak = Math.max(demand.peak, demand.now);
    if (demand.now > pool.options.max) demand.waited += 1;
    return connect(...args);
  }) as typeof pool.connect;
  pool.on("release", () => (demand.now -= 1));
  return demand;
}

const database = useTestDatabase();
const prefix = randomPrefix();
let sim: Simulator;
let worker: RunningWorker;
let demand: Demand | undefined;
let queue: QueueClients["queue"];
let events: QueueClients["events"];
let clients: QueueClients;

beforeAll(async () => {
  // Four batches of 500 per project: enough for every lane, and one more.
  sim = await startSimulator({
    projectIds: PROJECTS,
    roomsPerProject: 2000,
    credentials: { accessKeys: {}, tokens: [SECRET_TOKEN], iamUsers: [] },
  });
  const env = workerEnv({
    sim,
    databaseUrl: database.url,
    prefix,
    projectIds: PROJECTS,
    extra: { WORKER_CONCURRENCY: String(PROJECTS.length), HOUSEKEEPING_EVERY_HOURS: "0" },
  });
  worker = await startTestWorker(
    env,
    seeingPool((pool) => (demand = watchDemand(pool))),
  );
  clients = await openQueueClients(prefix);
  ({ queue, events } = clients);
});

afterAll(async () => {
  await worker?.close();
  await clients?.close();
  await sim?.close();
});

/** Room writes waiting for the test's lock on the rooms table, each holding its connection. */
async function blockedWrites(): Promise<number> {
  const result = await database.pool.query<{ blocked: number }>(
    `select count(*)::int as blocked from pg_locks
      where not granted and relation = 'smart_chat_rooms'::regclass
        and database = (select oid from pg_database where datname = current_database())`,
  );
  return result.rows[0]?.blocked ?? 0;
}

describe("the worker's Postgres pool", () => {
  it("serves WORKER_CONCURRENCY runs at once, each holding its lock and writing through every lane, without a wait", async () => {
    expect(demand, "the worker's pool, watched").toBeDefined();
    const holder = await database.pool.connect();
    let jobs: Array<{ jobId: string; projectId: string }>;
    try {
      // Every room write waits for this lock holding its connection, so both runs come to hold
      // their lock's and one per lane at once however fast they read.
      await holder.query("begin");
      await holder.query("lock table smart_chat_rooms in exclusive mode");
      jobs = await Promise.all(PROJECTS.map((projectId) => enqueueSync(queue, { projectId, mode: "full" })));
      // A pool too small stops the lanes short of that: an ask waits instead.
      await vi.waitFor(
        async () => {
          if (demand!.waited === 0)
            expect(await blockedWrites()).toBeGreaterThanOrEqual(PROJECTS.length * WRITE_LANES);
        },
        { timeout: 30_000, interval: 50 },
      );
      await holder.query("commit");
    } finally {
      await holder.query("rollback").catch(() => {});
      holder.release();
    }

    const outcomes = await waitForSyncs(queue, events, jobs);
    expect(outcomes.map((o) => o.outcome)).toEqual(["completed", "completed"]);
    expect(demand!.waited).toBe(0);
    expect(demand!.peak).toBeGreaterThanOrEqual(PROJECTS.length * (1 + WRITE_LANES));
    for (const projectId of PROJECTS) await expectExactMirror(database, sim, projectId);
  });
});

import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { enqueueSync } from "../../src/queue/enqueue-sync.js";
import { waitForSyncs } from "../../src/queue/wait-for-syncs.js";
import type { RunningWorker } from "../../src/runtime/start-worker.js";
import { startSimulator, type Simulator } from "../../src/simulator/simulator.js";
import { SECRET_TOKEN, seeingPool, startTestWorker, workerEnv } from "../queue/worker-fixture.js";
import { openQueueClients, type QueueClients } from "../queue/fixtures/queue-clients.js";
import { expectExactMirror } from "../support/sync-harness.js";
import { randomPrefix } from "../support/test-database.js";
import { useTestDatabase } from "../support/use-test-database.js";

/** As many as the worker runs at once. */
const PROJECTS = ["capped-a", "capped-b"];
/** WORKER_CONCURRENCY + 3: the least DATABASE_POOL_SIZE the configuration takes for two runs. */
const POOL_SIZE = PROJECTS.length + 3;

const database = useTestDatabase();
const prefix = randomPrefix();
let sim: Simulator;
let worker: RunningWorker;
let pool: pg.Pool | undefined;
let clients: QueueClients;

beforeAll(async () => {
  // Four batches of 500 per project: more than one lane's worth each.
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
    extra: {
      WORKER_CONCURRENCY: String(PROJECTS.length),
      DATABASE_POOL_SIZE: String(POOL_SIZE),
      HOUSEKEEPING_EVERY_HOURS: "0",
    },
  });
  worker = await startTestWorker(
    env,
    seeingPool((seen) => (pool = seen)),
  );
  clients = await openQueueClients(prefix);
});

afterAll(async () => {
  await worker?.close();
  await clients?.close();
  await sim?.close();
});

describe("a worker whose pool DATABASE_POOL_SIZE caps", () => {
  it("opens no more connections than asked, and its runs at once still mirror their projects exactly", async () => {
    expect(pool?.options.max).toBe(POOL_SIZE);
    const jobs = await Promise.all(
      PROJECTS.map((projectId) => enqueueSync(clients.queue, { projectId, mode: "full" })),
    );
    const outcomes = await waitForSyncs(clients.queue, clients.events, jobs);
    expect(outcomes.map((o) => o.outcome)).toEqual(["completed", "completed"]);
    for (const projectId of PROJECTS) await expectExactMirror(database, sim, projectId);
  });
});

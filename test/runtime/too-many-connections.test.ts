import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import net from "node:net";

import { Job } from "bullmq";
import { asc, eq } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";

import { loadConfig } from "../../src/config/config.js";
import { syncRuns } from "../../src/db/schema.js";
import { loadSyncState } from "../../src/db/sync-state.js";
import { createLogger, type Logger } from "../../src/logger.js";
import { enqueueSync } from "../../src/queue/enqueue-sync.js";
import { waitForSyncs } from "../../src/queue/wait-for-syncs.js";
import type { RunningWorker } from "../../src/runtime/start-worker.js";
import { openSyncRuntime } from "../../src/runtime/sync-runtime.js";
import { startSimulator, type Simulator } from "../../src/simulator/simulator.js";
import { runSync } from "../../src/sync/run-sync.js";
import { openQueueClients, type QueueClients } from "../queue/fixtures/queue-clients.js";
import { SECRET_TOKEN, startTestWorker, workerEnv } from "../queue/worker-fixture.js";
import { expectExactMirror, liveRooms } from "../support/sync-harness.js";
import { randomPrefix } from "../support/test-database.js";
import { useTestDatabase } from "../support/use-test-database.js";

/**
 * Postgres refusing connections (SQLSTATE 53300), reproduced with a role of our own and its
 * CONNECTION LIMIT, which binds every role but a superuser: the server's max_connections is left
 * alone. The role owns the file's database, so the worker migrates and writes as it does in a
 * deployment; the test looks on as the superuser, whom the limit does not count.
 */
const PROJECT = "refused-a";
/** The project whose writing connection is terminated, apart from PROJECT's queued jobs. */
const PROJECT_B = "refused-b";
const ROOMS = 2000;
/** WORKER_CONCURRENCY 1: workerPoolSize(1). */
const POOL_SIZE = 9;
/** The advisory lock the test holds while the run's first write waits for it (see gateWrites). */
const WRITE_GATE = 4242;

const database = useTestDatabase({ migrate: false });
const role = `msync_limited_${randomBytes(4).toString("hex")}`;
const prefix = randomPrefix();
let roleUrl: string;
let sim: Simulator;
let clients: QueueClients;
const workers: RunningWorker[] = [];

/** Statements as the superuser, in the file's database or the server's own. */
async function asSuperuser(sql: string, url = database.url): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const setLimit = (limit: number) => asSuperuser(`alter role ${role} connection limit ${limit}`);

beforeAll(async () => {
  await asSuperuser(`create role ${role} login password 'limited-pw'`, inject("databaseUrl"));
  await asSuperuser(`alter database ${new URL(database.url).pathname.slice(1)} owner to ${role}`);
  const url = new URL(database.url);
  url.username = role;
  url.password = "limited-pw";
  roleUrl = url.toString();
  sim = await startSimulator({
    projectIds: [PROJECT, PROJECT_B],
    roomsPerProject: ROOMS,
    credentials: { accessKeys: {}, tokens: [SECRET_TOKEN], iamUsers: [] },
  });
  clients = await openQueueClients(prefix);
});

afterAll(async () => {
  for (const worker of workers) await worker.close(true);
  await clients?.close();
  await sim?.close();
  // Before useTestDatabase drops the database: the role owns it and everything in it.
  await asSuperuser(`reassign owned by ${role} to current_user; drop owned by ${role}`);
  await asSuperuser(`drop role if exists ${role}`, inject("databaseUrl"));
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return workerEnv({
    sim,
    databaseUrl: roleUrl,
    prefix,
    projectIds: [PROJECT, PROJECT_B],
    extra: { WORKER_CONCURRENCY: "1", HOUSEKEEPING_EVERY_HOURS: "0", ...extra },
  });
}

/** A logger keeping every record, parsed. */
function recordingLogger(): { logger: Logger; records: Array<Record<string, unknown>> } {
  const records: Array<Record<string, unknown>> = [];
  const logger = createLogger("debug", {
    write: (line: string) => void records.push(JSON.parse(line) as Record<string, unknown>),
  });
  return { logger, records };
}

/** The real command, as a user runs it; resolves with its exit code and stderr. */
function cli(
  args: string[],
  extra: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    env: { PATH: process.env.PATH ?? "", ...env(), LOG_LEVEL: "info", ADMIN_PORT: "0", ...extra },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stderr })));
}

/**
 * Makes every batch write of a run wait, inside its statement and on its connection, for
 * WRITE_GATE, which the test holds: the run's next batch then needs a connection of its own. The
 * wait ends after 5 s at most, so that a run waiting for that write (to add more, or to flush
 * before it fails) never waits for the test. Returns the undo.
 */
async function gateWrites(): Promise<() => Promise<void>> {
  await asSuperuser(`
    create function msync_test_gate() returns trigger language plpgsql as $$
      begin
        perform set_config('lock_timeout', '5s', true);
        perform pg_advisory_xact_lock_shared(${WRITE_GATE});
        return null;
      exception when lock_not_available then return null;
      end $$;
    create trigger msync_test_gate before insert on smart_chat_rooms
      for each statement execute function msync_test_gate()`);
  const gate = new pg.Client({ connectionString: database.url });
  await gate.connect();
  await gate.query(`select pg_advisory_lock(${WRITE_GATE})`);
  return async () => {
    await gate.end();
    await asSuperuser(`drop trigger msync_test_gate on smart_chat_rooms; drop function msync_test_gate()`);
  };
}

/** Waits for the role's connections to be gone, so that a limit set next counts none of them. */
async function noConnectionsOfRole(): Promise<void> {
  const admin = new pg.Client({ connectionString: inject("databaseUrl") });
  await admin.connect();
  try {
    await vi.waitFor(
      async () => {
        const { rows } = await admin.query<{ n: number }>(
          "select count(*)::int as n from pg_stat_activity where usename = $1",
          [role],
        );
        expect(rows[0]!.n).toBe(0);
      },
      { timeout: 10_000 },
    );
  } finally {
    await admin.end();
  }
}

/**
 * A TCP proxy to the tests' Redis that holds back BullMQ's first command on each of the worker's
 * own connections, the `INFO` it sends once the connection is ready to check Redis' version (the
 * probe, the first connection, passes untouched): the queue is still initializing while the rest
 * of the start goes on. A connection that sends `QUIT` while held is dropped, as a Redis going
 * away would; after `holdMs` the answers go through.
 */
async function slowRedis(holdMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(inject("redisUrl"));
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => socket.destroy());
      socket.on("close", () => (client.destroy(), upstream.destroy()));
    }
    const probe = connections++ === 0;
    let infos = 0;
    let held = false;
    client.on("data", (chunk: Buffer) => {
      const text = chunk.toString("latin1").toLowerCase();
      infos += text.split("\r\ninfo\r\n").length - 1;
      if (held && text.includes("\r\nquit\r\n")) client.destroy();
      if (!probe && !held && infos >= 2) {
        held = true;
        upstream.unpipe(client);
        setTimeout(() => upstream.pipe(client), holdMs).unref();
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = new URL(target);
  url.host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    url: url.toString(),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A worker start the test expects to fail: its error. One that starts is closed, and fails the test. */
async function refusedStart(): Promise<Error> {
  const started = await startTestWorker(env()).catch((error: unknown) => error);
  if (started instanceof Error) return started;
  await (started as RunningWorker).close();
  throw new Error("the worker started");
}

/** Settings that bound each worker, named in every message about refused connections. */
const KNOBS = /DATABASE_POOL_SIZE .*WORKER_CONCURRENCY/;

describe("Postgres refusing the worker's connections (SQLSTATE 53300)", () => {
  it("refuses a worker start at the limit with one line naming the limit and the settings, no stack", async () => {
    await setLimit(0);
    try {
      const error = await refusedStart();
      expect(error.message).toMatch(
        new RegExp(`too many connections for role "${role}": the role's CONNECTION LIMIT is reached`),
      );
      expect(error.message).toMatch(KNOBS);
      expect(error.message).toContain(`this process opens up to ${POOL_SIZE} connections`);

      const { code, stderr } = await cli(["worker"], {});
      expect(code).toBe(1);
      expect(stderr).toMatch(/too many connections for role .*DATABASE_POOL_SIZE/);
      expect(stderr).not.toMatch(/^\s+at /m);
    } finally {
      await setLimit(-1);
    }
  });

  it("exits on that line alone when the database refuses before the queue's Redis connection is ready", async () => {
    const redis = await slowRedis(2000);
    await setLimit(0);
    try {
      const { code, stderr } = await cli(["worker"], { REDIS_URL: redis.url });
      expect(code).toBe(1);
      expect(stderr).toMatch(/too many connections for role .*DATABASE_POOL_SIZE/);
      expect(stderr).not.toMatch(/^\s+at /m);
    } finally {
      await setLimit(-1);
      await redis.close();
    }
  });

  it("names the database's CONNECTION LIMIT when that is the one reached", async () => {
    const name = new URL(database.url).pathname.slice(1);
    await asSuperuser(`alter database ${name} connection limit 0`);
    try {
      const error = await refusedStart();
      expect(error.message).toMatch(
        new RegExp(`too many connections for database "${name}": the database's CONNECTION LIMIT is reached`),
      );
      expect(error.message).toMatch(KNOBS);
    } finally {
      await asSuperuser(`alter database ${name} connection limit -1`);
    }
  });

  it("warns once at start when the pool and the connections already open outgrow a limit", async () => {
    const quiet = recordingLogger();
    const unlimited = await startTestWorker(env(), { logger: quiet.logger });
    await unlimited.close();
    expect(quiet.records.filter((r) => r.limit !== undefined)).toEqual([]);

    await noConnectionsOfRole();
    await setLimit(2);
    try {
      const { logger, records } = recordingLogger();
      const worker = await startTestWorker(env(), { logger });
      await worker.close();
      const warnings = records.filter((r) => r.limit !== undefined);
      expect(warnings).toHaveLength(1);
      // Its one connection, which read the limits, is the pool's own: no other is open.
      expect(warnings[0]).toMatchObject({
        level: 40,
        limit: "role",
        pool_size: POOL_SIZE,
        allowed: 2,
        in_use: 0,
      });
      expect(warnings[0]!.msg).toMatch(/SQLSTATE 53300/);
      expect(warnings[0]!.msg).toMatch(KNOBS);
    } finally {
      await setLimit(-1);
    }
  });

  it("sync prints the refusal as the project's failure, naming the limit and the settings, no stack", async () => {
    await noConnectionsOfRole();
    // One connection: the run's project lock takes it, and its first statement needs another.
    await setLimit(1);
    try {
      const { code, stderr } = await cli(["sync", "--full"], { METASTUDIO_PROJECT_IDS: PROJECT });
      expect(code).toBe(1);
      expect(stderr).toMatch(
        new RegExp(
          `${PROJECT}: the database refused: too many connections for role "${role}": the role's CONNECTION LIMIT is reached; .*DATABASE_POOL_SIZE.*\\(SQLSTATE 53300\\)`,
        ),
      );
      expect(stderr).not.toMatch(/^\s+at /m);
    } finally {
      await setLimit(-1);
    }
  });

  it("fails a run refused mid-way as a job, loses nothing stored, and the queue retries it on the same worker", async () => {
    // The first full run, unlimited: the mirror the refused run must not damage.
    // As the superuser, whom no limit counts: a connection of the role that closed just before
    // the limit is set could still count against it while its backend exits.
    const first = await openSyncRuntime(
      loadConfig({ ...env(), DATABASE_URL: database.url }),
      createLogger("silent"),
    );
    try {
      await runSync(first.deps(), { projectId: PROJECT, mode: "full", trigger: "cli" });
    } finally {
      await first.close();
    }
    const stateBefore = await loadSyncState(database.db, PROJECT);
    expect((await liveRooms(database, PROJECT)).size).toBe(ROOMS);
    // Every room renamed and ten deleted upstream: a run that completed would write every batch
    // and mark ten rooms deleted.
    const upstream = sim.rooms(PROJECT);
    for (const room of upstream) sim.updateRoom(PROJECT, room.room_id as string, { room_name: "renamed" });
    for (const room of upstream.slice(0, 10)) sim.deleteRoom(PROJECT, room.room_id as string);

    // Two connections: the run's project lock and one for its statements.
    await noConnectionsOfRole();
    await setLimit(2);
    const ungate = await gateWrites();
    let gated = true;
    const worker = await startTestWorker(env());
    workers.push(worker);
    try {
      const failed = new Promise<Error>((resolve) => worker.worker.once("failed", (_job, e) => resolve(e)));
      const { jobId } = await enqueueSync(clients.queue, { projectId: PROJECT, mode: "full" });
      // The first batch holds the statements' connection at the gate; the second one needs
      // another, which the server refuses.
      const error = await failed;
      await ungate();
      gated = false;
      expect(error.message).toMatch(
        new RegExp(
          `too many connections for role "${role}": the role's CONNECTION LIMIT \\(2 when this process started\\)`,
        ),
      );
      expect(error.message).toMatch(KNOBS);
      expect(error.message).toContain("SQLSTATE 53300");
      expect(error.stack).not.toMatch(/^\s+at /m);

      // Nothing stored is lost: no room deleted, the state where the first run left it.
      expect((await liveRooms(database, PROJECT)).size).toBe(ROOMS);
      expect(await loadSyncState(database.db, PROJECT)).toEqual(stateBefore);
      const runsOf = () =>
        database.db
          .select()
          .from(syncRuns)
          .where(eq(syncRuns.projectId, PROJECT))
          .orderBy(asc(syncRuns.startedAt));
      const [, refused, ...none] = await runsOf();
      expect(none).toEqual([]);
      // Recorded as failed; or, when the server also refused the connection that record needed
      // (the refused statement's run holds none to spare), still 'running' until the project's
      // next run closes it as interrupted (failRun is best effort).
      if (refused?.status === "failed") expect(refused.error).toMatch(/SQLSTATE 53300/);
      else expect(refused?.status).toBe("running");

      // The queue retries it (after its backoff, cut short here) on the same worker, still up.
      const job = (await Job.fromId(clients.queue, jobId))!;
      await vi.waitFor(async () => expect(await job.getState()).toBe("delayed"));
      expect((await Job.fromId(clients.queue, jobId))?.attemptsMade).toBe(1);
      await setLimit(-1);
      await job.promote();
      const [outcome] = await waitForSyncs(clients.queue, clients.events, [{ jobId, projectId: PROJECT }]);
      expect(outcome?.outcome).toBe("completed");
      await expectExactMirror(database, sim, PROJECT);
      expect((await runsOf()).map((r) => r.status)).toEqual(["succeeded", "failed", "succeeded"]);
    } finally {
      if (gated) await ungate();
      await setLimit(-1);
    }
  });

  // test/sync/lock-loss.test.ts kills the connection holding a run's project lock, and
  // test/db/database.test.ts one a run has checked out, idle; this kills one in the middle of a write.
  it("fails a run whose writing connection is terminated, and the retry mirrors exactly", async () => {
    const worker = workers[0] ?? (await startTestWorker(env()));
    if (workers.length === 0) workers.push(worker);
    const full = () => enqueueSync(clients.queue, { projectId: PROJECT_B, mode: "full" });
    const [stored] = await waitForSyncs(clients.queue, clients.events, [await full()]);
    expect(stored?.outcome).toBe("completed");
    for (const room of sim.rooms(PROJECT_B)) {
      sim.updateRoom(PROJECT_B, room.room_id as string, { room_name: "renamed" });
    }
    const ungate = await gateWrites();
    let gated = true;
    try {
      const failed = new Promise<Error>((resolve) => worker.worker.once("failed", (_job, e) => resolve(e)));
      const { jobId } = await full();
      await vi.waitFor(async () => expect(await terminateGatedWrites()).toBeGreaterThan(0), {
        timeout: 30_000,
      });
      const error = await failed;
      await ungate();
      gated = false;
      expect(error.message).toMatch(/terminat/i);
      expect((await liveRooms(database, PROJECT_B)).size).toBe(ROOMS);

      const job = (await Job.fromId(clients.queue, jobId))!;
      await vi.waitFor(async () => expect(await job.getState()).toBe("delayed"));
      await job.promote();
      const [outcome] = await waitForSyncs(clients.queue, clients.events, [{ jobId, projectId: PROJECT_B }]);
      expect(outcome?.outcome).toBe("completed");
      await expectExactMirror(database, sim, PROJECT_B);
    } finally {
      if (gated) await ungate();
    }
  });
});

/** Terminates the role's connections waiting at the gate (see gateWrites); how many. */
async function terminateGatedWrites(): Promise<number> {
  const admin = new pg.Client({ connectionString: inject("databaseUrl") });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ n: number }>(
      `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
        where usename = $1 and wait_event_type = 'Lock' and wait_event = 'advisory'`,
      [role],
    );
    return rows[0]!.n;
  } finally {
    await admin.end();
  }
}

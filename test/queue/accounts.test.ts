import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import type { Queue, QueueEvents } from "bullmq";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { syncProjects } from "../../src/db/schema.js";
import { enqueueSync } from "../../src/queue/enqueue-sync.js";
import { type EnqueuedSync, type SyncJobData } from "../../src/queue/sync-queue.js";
import { waitForSyncs } from "../../src/queue/wait-for-syncs.js";
import { startSimulator, type Simulator } from "../../src/simulator/simulator.js";
import { expectExactMirror } from "../support/sync-harness.js";
import { randomPrefix } from "../support/test-database.js";
import { useTestDatabase } from "../support/use-test-database.js";
import { openQueueClients, type QueueClients } from "./fixtures/queue-clients.js";
import { spawnWorker, type WorkerProcess } from "./worker-fixture.js";

const CN = ["cn-1", "cn-2"];
const SG = ["sg-1"];
const SECRETS = { CN_AK: "AKCN0001", CN_SK: "sk-cn-never-elsewhere", SG_TOKEN: "tok-sg-never-elsewhere" };

const database = useTestDatabase();
let cn: Simulator;
let sg: Simulator;
let queue: Queue<SyncJobData>;
let events: QueueEvents;
let clients: QueueClients | undefined;
let configFile: string;
const prefix = randomPrefix();
const spawned: WorkerProcess[] = [];

beforeAll(async () => {
  // Two regions: each simulator serves only its account's projects and accepts only its credential.
  cn = await startSimulator({
    projectIds: CN,
    roomsPerProject: 150,
    credentials: { accessKeys: { [SECRETS.CN_AK]: SECRETS.CN_SK }, tokens: [], iamUsers: [] },
  });
  sg = await startSimulator({
    projectIds: SG,
    roomsPerProject: 150,
    credentials: { accessKeys: {}, tokens: [SECRETS.SG_TOKEN], iamUsers: [] },
  });
  configFile = join(mkdtempSync(join(tmpdir(), "msync-accounts-")), "accounts.yaml");
  writeFileSync(
    configFile,
    `accounts:
  - name: cn-main
    endpoint: ${cn.url}
    ak: \${CN_AK}
    sk: \${CN_SK}
    rate_limit: 200
    projects: [${CN.join(", ")}]
  - name: sg
    endpoint: ${sg.url}
    token: \${SG_TOKEN}
    rate_limit: 200
    projects: [${SG.join(", ")}]
`,
  );
  clients = await openQueueClients(prefix);
  ({ queue, events } = clients);
});

afterAll(async () => {
  await clients?.close(spawned);
  await cn?.close();
  await sg?.close();
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    METASTUDIO_CONFIG: configFile,
    ...SECRETS,
    DATABASE_URL: database.url,
    REDIS_URL: inject("redisUrl"),
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: "silent",
    ...extra,
  };
}

describe("accounts from METASTUDIO_CONFIG", () => {
  it("two worker replicas mirror two accounts in two regions exactly, each upstream seeing only its own", async () => {
    const workers = [await spawnWorker(env()), await spawnWorker(env())];
    spawned.push(...workers);
    const enqueued: EnqueuedSync[] = [];
    for (const projectId of [...CN, ...SG]) {
      enqueued.push(await enqueueSync(queue, { projectId, mode: "full", trigger: "manual" }));
    }
    const outcomes = await waitForSyncs(queue, events, enqueued);
    expect(outcomes.filter((o) => o.outcome !== "completed")).toEqual([]);
    for (const projectId of CN) await expectExactMirror(database, cn, projectId);
    for (const projectId of SG) await expectExactMirror(database, sg, projectId);

    // Each region was asked only for its own projects, with its own credential, and accepted it.
    expect(new Set(cn.requests.map((r) => r.projectId))).toEqual(new Set(CN));
    expect(new Set(sg.requests.map((r) => r.projectId))).toEqual(new Set(SG));
    expect(cn.requests.every((r) => r.status === 200 && r.headers.authorization !== undefined)).toBe(true);
    expect(cn.requests.some((r) => r.headers["x-auth-token"] !== undefined)).toBe(false);
    expect(sg.requests.every((r) => r.status === 200 && r.headers["x-auth-token"] !== undefined)).toBe(true);
    expect(sg.requests.some((r) => r.headers.authorization !== undefined)).toBe(false);

    const projects = await database.db.select().from(syncProjects);
    expect(projects.map((p) => [p.projectId, p.account, p.endpoint]).sort()).toEqual(
      [
        ["cn-1", "cn-main", cn.url],
        ["cn-2", "cn-main", cn.url],
        ["sg-1", "sg", sg.url],
      ].sort(),
    );
    for (const w of workers) w.child.kill("SIGTERM");
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);
  });

  it("an unset ${NAME} exits 2 naming it, the file and the account", async () => {
    const { SG_TOKEN: _unset, ...rest } = env();
    const result = await cli(["sync"], rest);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(configFile);
    expect(result.stderr).toMatch(/account "sg" \(accounts\[1\]\), key token refers to \$\{SG_TOKEN\}/);
    expect(result.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(result.stderr).not.toContain(SECRETS.CN_SK);
  });
});

const run = promisify(execFile);

async function cli(args: string[], environment: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      env: { PATH: process.env.PATH ?? "", ...environment },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

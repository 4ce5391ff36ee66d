import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { createServer, type Server } from "node:http";

import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { freePort } from "../../scripts/drill/free-port.js";
import { DataDirLockedError, LOCK_FILE, lockDataDir } from "../../src/db/data-dir-lock.js";
import { openDatabase } from "../../src/db/open-database.js";
import { startSimulator, type Simulator } from "../../src/simulator/simulator.js";
import { expectExactMirror } from "../support/sync-harness.js";

const TOKEN = "lock-test-token";
let dir: string;
let sim: Simulator;
/** In front of the simulator: holds every request while `held`, so a run stays mid-run. */
let gate: Server;
let gateUrl: string;
let gateSeen = 0;
let release: () => void = () => {};
let held = Promise.resolve();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "msync-lock-"));
  sim = await startSimulator({
    projectIds: ["p-lock"],
    roomsPerProject: 300,
    credentials: { accessKeys: {}, tokens: [TOKEN], iamUsers: [] },
  });
  gate = createServer((req, res) => {
    gateSeen += 1;
    void held
      .then(() => fetch(`${sim.url}${req.url}`, { headers: { "X-Auth-Token": TOKEN } }))
      .then(async (upstream) => {
        res.writeHead(upstream.status, Object.fromEntries(upstream.headers));
        res.end(Buffer.from(await upstream.arrayBuffer()));
      })
      .catch(() => res.destroy());
  });
  const port = await freePort();
  await new Promise<void>((resolve) => gate.listen(port, "127.0.0.1", resolve));
  gateUrl = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  release();
  await new Promise((resolve) => gate?.close(resolve));
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The CLI in a process of its own on the embedded database in `data`, through the gate. */
function cli(data: string, args: string[] = ["sync"]) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    env: {
      PATH: process.env.PATH ?? "",
      METASTUDIO_ENDPOINT: gateUrl,
      METASTUDIO_PROJECT_IDS: "p-lock",
      METASTUDIO_AUTH_TOKEN: TOKEN,
      METASTUDIO_REQUEST_TIMEOUT_MS: "600000",
      METASTUDIO_SYNC_DATA_DIR: data,
      LOG_LEVEL: "silent",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.resume();
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on("exit", (code) => resolve({ code, stderr })),
  );
  return { child, exited };
}

describe("one process per embedded data directory", () => {
  it("refuses a live holder by PID and takes over a dead one's lock", () => {
    const here = mkdtempSync(join(tmpdir(), "msync-lock-unit-"));
    try {
      const release = lockDataDir(here);
      expect(readFileSync(join(here, LOCK_FILE), "utf8").trim()).toBe(String(process.pid));
      expect(() => lockDataDir(here)).toThrow(DataDirLockedError);
      release();
      expect(existsSync(join(here, LOCK_FILE))).toBe(false);

      // PID 1 is always alive: another process's lock.
      writeFileSync(join(here, LOCK_FILE), "1\n");
      expect(() => lockDataDir(here)).toThrow(/in use by process 1 /);
      // A PID no process has (beyond the kernel's maximum): a crashed holder, so stale.
      writeFileSync(join(here, LOCK_FILE), "4194305\n");
      lockDataDir(here)();
    } finally {
      rmSync(here, { recursive: true, force: true });
    }
  });

  it(
    "a second sync on the same directory is refused, saying why, and the first finishes intact",
    { timeout: 240_000 },
    async () => {
      const data = join(dir, "pgdata");
      // The upstream holds its answers: the first sync is mid-run, holding the directory, until
      // the second has started and given up.
      held = new Promise((resolve) => (release = resolve));
      const first = cli(data);
      while (gateSeen === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      const second = await cli(data).exited;
      release();

      expect(second.code).toBe(1);
      expect(second.stderr).toContain(
        `The embedded database at ${data} is in use by process ${first.child.pid}`,
      );
      expect(second.stderr).not.toMatch(/\n\s+at /);
      expect((await first.exited).code).toBe(0);

      const database = await openDatabase({ databaseUrl: undefined, embeddedDataDir: data });
      try {
        await expectExactMirror(database, sim, "p-lock");
      } finally {
        await database.close();
      }
    },
  );

  it(
    "serve-db lets a Postgres client query the mirror, and holds the directory meanwhile",
    { timeout: 240_000 },
    async () => {
      const data = join(dir, "pgdata");
      const port = await freePort();
      const served = cli(data, ["serve-db", "--port", String(port)]);
      const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
      let rows: Array<{ n: number }> = [];
      // Until it listens (PGlite takes seconds to open); a query error would still fail the test.
      for (let attempt = 0; ; attempt += 1) {
        const client = new pg.Client({ connectionString: url });
        try {
          await client.connect();
        } catch (error) {
          if (attempt > 600) throw error;
          await new Promise((resolve) => setTimeout(resolve, 250));
          continue;
        }
        try {
          ({ rows } = await client.query<{ n: number }>(
            "select count(*)::int as n from smart_chat_rooms where deleted_at is null",
          ));
        } finally {
          await client.end();
        }
        break;
      }
      expect(rows[0]!.n).toBe(sim.rooms("p-lock").length);
      expect(readFileSync(join(data, LOCK_FILE), "utf8").trim()).toBe(String(served.child.pid));

      served.child.kill("SIGINT");
      expect((await served.exited).code).toBe(0);
      expect(existsSync(join(data, LOCK_FILE))).toBe(false);
    },
  );
});

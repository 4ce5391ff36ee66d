import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DataDirLockedError, LOCK_FILE, lockDataDir } from "../../src/db/data-dir-lock.js";
import { openDatabase } from "../../src/db/database.js";
import { startSimulator, type Simulator } from "../../src/simulator/simulator.js";
import { expectExactMirror } from "../support/sync-harness.js";

const TOKEN = "lock-test-token";
let dir: string;
let sim: Simulator;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "msync-lock-"));
  sim = await startSimulator({
    projectIds: ["p-lock"],
    roomsPerProject: 300,
    credentials: { accessKeys: {}, tokens: [TOKEN], iamUsers: [] },
  });
});
afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `metastudio-sync sync` in a process of its own on the embedded database in `data`. */
function sync(data: string) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "sync"], {
    env: {
      PATH: process.env.PATH ?? "",
      METASTUDIO_ENDPOINT: sim.url,
      METASTUDIO_PROJECT_IDS: "p-lock",
      METASTUDIO_AUTH_TOKEN: TOKEN,
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
      // Slow upstream: the first sync is mid-run, holding the directory, while the second starts.
      sim.setBehaviour({ latencyMs: 1500 });
      const first = sync(data);
      while (sim.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      const second = await sync(data).exited;
      sim.setBehaviour({ latencyMs: 0 });

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
});

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * How long a process may take to end once its stderr's reader has gone: far beyond the few
 * seconds these take, as it only tells a process that ends from one that never does.
 */
const LIVENESS_MS = 45_000;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "msync-closed-stderr-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** How the child ended, or "still running" once LIVENESS_MS passed (it is killed then). */
function ended(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null } | "still running"> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve("still running");
    }, LIVENESS_MS);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

/**
 * `sync --dry-run` on an embedded database of its own, against an endpoint nobody answers (the run
 * fails after its attempts), its stderr read until `enough` says so, then no more.
 */
function syncReadUntil(name: string, enough: (chunk: string) => boolean, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "sync", "--dry-run"], {
    env: {
      PATH: process.env.PATH ?? "",
      METASTUDIO_SYNC_DATA_DIR: join(dir, name),
      METASTUDIO_PROJECT_IDS: "p-closed",
      METASTUDIO_ENDPOINT: "http://127.0.0.1:1",
      METASTUDIO_AUTH_TOKEN: "cli-closed-stderr-token",
      ...env,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const stderr = child.stderr;
  stderr.on("data", (chunk: Buffer) => {
    if (enough(chunk.toString())) stderr.destroy();
  });
  return ended(child);
}

describe("sync when whatever reads its stderr goes away", () => {
  it("ends, as a failure, when the reader goes after the first chunk", async () => {
    // The run has everything left to log: its next record meets a pipe with no reader.
    const outcome = await syncReadUntil("first-chunk", () => true);
    // The run was cut short: 1, as for a run that did not complete.
    expect(outcome).toEqual({ code: 1, signal: null });
  });

  it("ends when the reader goes as the run fails, with records still to write", async () => {
    // One attempt: its request is logged as it fails, in the same turn as the "sync run failed"
    // record and the summary. The reader goes on seeing it, so those meet a pipe with no reader,
    // as with `sync 2>&1 | head -8` and six attempts: what held the process forever, every time.
    const outcome = await syncReadUntil("failing", (chunk) => chunk.includes('"msg":"metastudio request"'), {
      METASTUDIO_MAX_ATTEMPTS: "1",
    });
    expect(outcome).toEqual({ code: 1, signal: null });
  });
});

describe("the default logger, once stderr's reader has gone", () => {
  it("lets a process that logs and exits at once end", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "test/cli/fixtures/log-then-exit.ts"], {
      stdio: ["pipe", "ignore", "pipe"],
    });
    await new Promise((resolve) => child.once("spawn", resolve));
    child.stderr.destroy();
    child.stdin.end();
    expect(await ended(child)).toEqual({ code: 0, signal: null });
  });
});

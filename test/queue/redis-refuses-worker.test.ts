/**
 * A Redis whose password changed under a running worker: every reconnection is refused with
 * WRONGPASS. The worker must not log the password (ioredis puts AUTH's args on the error), must
 * not log each refusal, and must still stop within its bound on SIGTERM.
 */
import { Writable } from "node:stream";
import { inspect } from "node:util";

import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { startThrowawayRedis, type ThrowawayRedis } from "../../scripts/drill/throwaway-redis.js";
import { reportError } from "../../src/cli/exit-codes.js";
import { loadConfig } from "../../src/config/config.js";
import { createLogger } from "../../src/logger.js";
import { connectRedis } from "../../src/queue/connect-redis.js";
import { startWorker, type RunningWorker } from "../../src/runtime/start-worker.js";
import { randomPrefix } from "../support/test-database.js";
import { useTestDatabase } from "../support/use-test-database.js";
import { spawnWorker } from "./worker-fixture.js";

const OLD_PASSWORD = "RedisPw-SECRET-1";
const NEW_PASSWORD = "RedisPw-SECRET-2";

const database = useTestDatabase();
let redis: ThrowawayRedis;
let worker: RunningWorker | undefined;

beforeEach(async () => {
  redis = await startThrowawayRedis({ durable: false });
  const admin = new Redis(redis.port, "127.0.0.1");
  await admin.config("SET", "requirepass", OLD_PASSWORD);
  admin.disconnect();
});

afterEach(() => {
  // A worker whose close was abandoned has nothing left to close; one that passed is closed.
  worker = undefined;
  redis.destroy();
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    // Never called: the worker takes no job here.
    METASTUDIO_ENDPOINT: "http://127.0.0.1:9",
    METASTUDIO_PROJECT_IDS: "refused",
    METASTUDIO_AUTH_TOKEN: "tok-unused",
    DATABASE_URL: database.url,
    REDIS_URL: `redis://:${OLD_PASSWORD}@127.0.0.1:${redis.port}`,
    QUEUE_PREFIX: randomPrefix(),
    LOG_LEVEL: "info",
    ...extra,
  };
}

/** What an operator does: a new password, and every client cut off so it must use it. */
async function changePassword(): Promise<void> {
  const admin = new Redis(redis.port, "127.0.0.1", { password: OLD_PASSWORD });
  await admin.config("SET", "requirepass", NEW_PASSWORD);
  // SKIPME is the default: this connection stays, every other one is closed.
  await admin.client("KILL", "TYPE", "normal");
  await admin.quit();
}

function capture() {
  let text = "";
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { logger: createLogger("info", sink), text: () => text };
}

/** `promise`, or a rejection after `ms`: a close that hangs fails the test, not its timeout. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function refusedWorker(options: { shutdownTimeoutMs: number; closeTimeoutMs?: number }) {
  const log = capture();
  const config = env();
  worker = await startWorker({
    config: loadConfig(config),
    logger: log.logger,
    prefix: config.QUEUE_PREFIX,
    schedule: false,
    ...options,
  });
  await changePassword();
  await vi.waitFor(() => expect(log.text()).toContain("WRONGPASS"), { timeout: 10_000, interval: 50 });
  return { worker, log };
}

describe("a worker that Redis refuses", () => {
  it("logs the refusal without the password, once, and its close ends within the bound", async () => {
    const { worker, log } = await refusedWorker({ shutdownTimeoutMs: 300, closeTimeoutMs: 1000 });
    // ioredis retries every 2 s at most, and three listeners see each failure.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const refusals = log
      .text()
      .split("\n")
      .filter((line) => line.includes("WRONGPASS"));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toContain('"command":{"name":"auth"}');

    // 300 ms of grace, 1 s to close, 2 s once the connections are dropped: about 3.3 s. The bound
    // only tells a close that ends from one that never would, so it leaves a loaded machine room.
    await within(worker.close(), 15_000);
    const text = log.text();
    expect(text).toMatch(/"abandoned":\[[^\]]*"worker"/);
    expect(text).toContain('"repeats":');
    expect(text).not.toContain(OLD_PASSWORD);
    expect(text).not.toContain(NEW_PASSWORD);
  });

  it("close(now), a second signal, drops the connections without waiting for the grace period", async () => {
    const { worker, log } = await refusedWorker({ shutdownTimeoutMs: 60_000 });
    void worker.close();
    // Well under the 60 s grace: the connections were dropped rather than waited on.
    await within(worker.close(true), 20_000);
    expect(log.text()).toContain("asked to stop now");
    expect(log.text()).not.toContain(OLD_PASSWORD);
  });

  it("exits on a second SIGTERM, in its own process, and writes no password", async () => {
    const spawned = await spawnWorker(env({ TEST_SHUTDOWN_MS: "60000" }));
    try {
      await changePassword();
      await vi.waitFor(() => expect(spawned.stderr()).toContain("WRONGPASS"), { timeout: 10_000 });
      spawned.child.kill("SIGTERM");
      await new Promise((resolve) => setTimeout(resolve, 300));
      spawned.child.kill("SIGTERM");
      expect(await within(spawned.exited, 6000)).toBe(0);
      expect(spawned.stderr()).toContain("shutting down now");
      expect(spawned.stderr()).not.toContain(OLD_PASSWORD);
    } finally {
      spawned.child.kill("SIGKILL");
    }
  });
});

describe("connectRedis with a wrong password", () => {
  it("fails naming REDIS_URL, and neither the cause nor --verbose shows the password", async () => {
    const url = `redis://:wrong-${NEW_PASSWORD}@127.0.0.1:${redis.port}`;
    const error = await connectRedis(url, 3000).then(
      () => expect.fail("connected with a wrong password"),
      (e: unknown) => e as Error,
    );
    expect(error.message).toMatch(/^Redis at REDIS_URL does not answer: WRONGPASS/);
    expect(inspect(error, { depth: 10 })).not.toContain(NEW_PASSWORD);
    expect(inspect(error, { depth: 10 })).toContain("name: 'auth'");
    let printed = "";
    const write = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      printed += String(chunk);
      return true;
    });
    try {
      // The CLI's `--verbose`, on the cause as ioredis gave it.
      reportError(new Error("failed", { cause: error.cause ?? error }), true);
    } finally {
      write.mockRestore();
    }
    expect(printed).toContain("WRONGPASS");
    expect(printed).not.toContain(NEW_PASSWORD);
  });
});

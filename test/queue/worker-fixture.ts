import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

import { Redis } from "ioredis";
import type pg from "pg";
import { inject } from "vitest";

import { loadConfig } from "../../src/config/config.js";
import { createLogger } from "../../src/logger.js";
import { startWorker, type RunningWorker, type StartWorkerOptions } from "../../src/runtime/start-worker.js";
import type { Simulator } from "../../src/simulator/simulator.js";

export const SECRET_TOKEN = "tok-3f9c1e-never-in-redis";

/** The environment a worker of these tests reads, as a deployment would set it. */
export function workerEnv(options: {
  sim: Simulator;
  databaseUrl: string;
  prefix: string;
  projectIds: string[];
  extra?: Record<string, string>;
}): Record<string, string> {
  return {
    METASTUDIO_ENDPOINT: options.sim.url,
    METASTUDIO_PROJECT_IDS: options.projectIds.join(","),
    METASTUDIO_AUTH_TOKEN: SECRET_TOKEN,
    METASTUDIO_RATE_LIMIT: "1000",
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: inject("redisUrl"),
    QUEUE_PREFIX: options.prefix,
    LOG_LEVEL: "silent",
    ...options.extra,
  };
}

/**
 * Worker options handing `seen` the worker's Postgres pool, before it takes any job: the admin
 * server's seam, with no server started.
 */
export function seeingPool(seen: (pool: pg.Pool) => void): Partial<StartWorkerOptions> {
  return {
    observability: () => ({
      startAdmin: (context) => {
        if (context.database.kind === "postgres") seen(context.database.pool);
        return Promise.resolve({ url: "http://admin.invalid", close: () => Promise.resolve() });
      },
    }),
  };
}

/** A worker in this process, for tests that do not kill it. */
export function startTestWorker(
  env: Record<string, string>,
  options: Partial<StartWorkerOptions> = {},
): Promise<RunningWorker> {
  return startWorker({
    config: loadConfig(env),
    logger: createLogger("silent"),
    prefix: env.QUEUE_PREFIX,
    schedule: false,
    busyRetryMs: 200,
    throttleHoldMs: 300,
    ...options,
  });
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves with the exit code (or the signal's name) once the process ended. */
  exited: Promise<number | string>;
  stderr: () => string;
}

const FIXTURE = fileURLToPath(new URL("./fixtures/worker-process.ts", import.meta.url));

/** A worker in a process of its own (node with tsx's loader, no wrapper to swallow signals). */
export async function spawnWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", FIXTURE], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)),
  );
  await new Promise<void>((resolve, reject) => {
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("ready")) resolve();
    });
    void exited.then((code) => reject(new Error(`worker exited (${code}) before ready:\n${stderr}`)));
  });
  return { child, exited, stderr: () => stderr };
}

/** Every value stored under the prefix (job data, results, events, scheduler templates). */
export async function dumpRedis(prefix: string): Promise<string> {
  const redis = new Redis(inject("redisUrl"));
  const parts: string[] = [];
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        parts.push(key);
        if (type === "string") parts.push((await redis.get(key)) ?? "");
        else if (type === "hash") parts.push(JSON.stringify(await redis.hgetall(key)));
        else if (type === "list") parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
        else if (type === "set") parts.push(JSON.stringify(await redis.smembers(key)));
        else if (type === "zset") parts.push(JSON.stringify(await redis.zrange(key, 0, -1)));
        else if (type === "stream") parts.push(JSON.stringify(await redis.xrange(key, "-", "+")));
      }
    } while (cursor !== "0");
  } finally {
    await redis.quit();
  }
  return parts.join("\n");
}

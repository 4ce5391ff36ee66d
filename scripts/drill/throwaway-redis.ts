import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { onCleanup } from "./cleanup-registry.js";
import { freePort } from "./free-port.js";

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ThrowawayRedis {
  url: string;
  port: number;
  /** SIGKILL: the server dies as in a crash or an OOM kill, clients cut off. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data: what it had written to its AOF comes back. */
  start(): Promise<void>;
  /** Kills it and removes its directory; also done at process exit. */
  destroy(): void;
}

/**
 * A Redis of its own on a free loopback port, with an append-only file synced on every write,
 * as a production Redis holding a job queue would run: a restart loses nothing acknowledged.
 */
/** @see startThrowawayRedis */
export interface ThrowawayRedisOptions {
  /** Append-only file synced on every write; tests that never restart it can skip the cost. @default true */
  durable?: boolean;
}

export async function startThrowawayRedis(options: ThrowawayRedisOptions = {}): Promise<ThrowawayRedis> {
  const durable = options.durable ?? true;
  const dir = mkdtempSync(join(tmpdir(), "msync-drill-redis-"));
  const port = await freePort();
  const pidFile = join(dir, "redis.pid");
  const pid = (): number | undefined => {
    try {
      return Number(readFileSync(pidFile, "utf8").trim()) || undefined;
    } catch {
      return undefined;
    }
  };
  const alive = (id: number) => {
    try {
      process.kill(id, 0);
      return true;
    } catch {
      return false;
    }
  };
  const unregister = onCleanup(() => {
    const id = pid();
    try {
      if (id !== undefined && alive(id)) process.kill(id, "SIGKILL");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  const start = async () => {
    await run("redis-server", [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--daemonize",
      "yes",
      "--dir",
      dir,
      "--pidfile",
      pidFile,
      "--logfile",
      join(dir, "redis.log"),
      "--save",
      "",
      ...(durable ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"]),
      "--maxmemory-policy",
      "noeviction",
    ]);
    for (let i = 0; i < 100; i += 1) {
      try {
        if (
          execFileSync("redis-cli", ["-p", String(port), "ping"])
            .toString()
            .trim() === "PONG"
        )
          return;
      } catch {
        // Not listening yet.
      }
      await sleep(50);
    }
    throw new Error(`redis-server on port ${port} did not answer within 5 s`);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    kill: async () => {
      const id = pid();
      if (id === undefined) throw new Error("redis-server wrote no pid file");
      process.kill(id, "SIGKILL");
      for (let i = 0; i < 100 && alive(id); i += 1) await sleep(20);
    },
    destroy: unregister,
  };
}

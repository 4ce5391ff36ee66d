import { execFile } from "node:child_process";
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { CONNECT_TIMEOUT_MS } from "../../src/db/postgres-client.js";

/**
 * A host that takes the TCP connection and never says a word: a firewall's black hole, or the
 * wrong service on the port. Before the connect timeout, `migrate` and the worker's start waited
 * on it silently forever, so the children here are killed well after the timeout instead.
 */
let blackHole: Server;
const sockets = new Set<Socket>();
beforeAll(async () => {
  blackHole = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => blackHole.listen(0, "127.0.0.1", resolve));
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => blackHole.close(resolve));
});

interface Ended {
  code: number | null;
  signal: string | null;
  stderr: string;
}

function cli(args: string[], databaseUrl: string): Promise<Ended> {
  const env = { PATH: process.env.PATH ?? "", LOG_LEVEL: "silent", DATABASE_URL: databaseUrl };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", ...args],
      { env, timeout: CONNECT_TIMEOUT_MS + 20_000, killSignal: "SIGKILL" },
      (error, _stdout, stderr) => {
        const failed = error as (Error & { code?: number; signal?: string }) | null;
        resolve({ code: failed ? (failed.code ?? null) : 0, signal: failed?.signal ?? null, stderr });
      },
    );
  });
}

describe("a DATABASE_URL whose host never answers", () => {
  it("fails `migrate` after the connect timeout, naming DATABASE_URL without its password", async () => {
    const { port } = blackHole.address() as AddressInfo;
    const ended = await cli(["migrate"], `postgres://mirror:s3cret-pw@127.0.0.1:${port}/mirror`);
    expect(ended.signal).toBeNull();
    expect(ended.code).toBe(1);
    expect(ended.stderr).toContain(
      `DATABASE_URL (postgres://mirror:***@127.0.0.1:${port}/mirror) did not complete a connection within ${CONNECT_TIMEOUT_MS} ms`,
    );
    expect(ended.stderr).not.toContain("s3cret-pw");
    expect(ended.stderr).not.toMatch(/^\s+at /m);
  }, 60_000);
});

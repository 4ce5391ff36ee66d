import { createServer, type Server, type Socket } from "node:net";
import { Writable } from "node:stream";

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { createLogger } from "../../src/logger.js";
import { MetaStudioClient } from "../../src/metastudio/metastudio-client.js";
import { MetaStudioError } from "../../src/metastudio/metastudio-error.js";
import { simulatorClientConfig } from "../../src/simulator/simulator-client-config.js";

/**
 * A connection to the upstream that could not be opened says so and names the host and port it
 * was opened to: Node's own error names an IP address at best, a reset TLS handshake nothing.
 * Retried as before. No proxy here (see proxy-failures.test.ts).
 */
const PROJECT = "0123456789abcdef0123456789abcdef";
const scope = `for project ${PROJECT} (no request ID)`;

const servers: Server[] = [];
const sockets = new Set<Socket>();
const clients: MetaStudioClient[] = [];
beforeEach(() => {
  for (const name of ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"]) vi.stubEnv(name, undefined);
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function listen(onConnection: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    onConnection(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as { port: number }).port;
}

async function failure(endpoint: string, maxAttempts = 2): Promise<MetaStudioError> {
  const client = new MetaStudioClient({
    config: simulatorClientConfig(endpoint, [PROJECT], "token", { maxAttempts }),
    logger: createLogger("info", new Writable({ write: (_chunk, _encoding, done) => done() })),
    baseDelayMs: 1,
    maxDelayMs: 2,
  });
  clients.push(client);
  try {
    await client.listSmartChatRooms({ projectId: PROJECT, offset: 0, limit: 10 });
  } catch (error) {
    expect(error).toBeInstanceOf(MetaStudioError);
    return error as MetaStudioError;
  }
  throw new Error("expected the request to fail");
}

describe("a connection to the upstream that cannot be opened", () => {
  it("refused: names the host and port", async () => {
    const port = await listen(() => undefined);
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const error = await failure(`http://127.0.0.1:${port}`);
    expect(error.message).toBe(
      `MetaStudio could not be reached (ECONNREFUSED) while connecting to 127.0.0.1:${port} ${scope}; gave up after 2 attempts`,
    );
    expect(error).toMatchObject({ retryable: true, attempts: 2, status: undefined });
    // The cause is still Node's own error.
    expect(error.cause).toMatchObject({ code: "ECONNREFUSED", syscall: "connect" });
  });

  it("closed during the TLS handshake: says it was while connecting, and to what", async () => {
    const port = await listen((socket) => socket.end());
    const error = await failure(`https://127.0.0.1:${port}`);
    expect(error.message).toBe(
      `MetaStudio closed the connection without answering (ECONNRESET) while connecting to 127.0.0.1:${port} ${scope}; gave up after 2 attempts`,
    );
    expect(error.retryable).toBe(true);
  });

  it("a host name that does not resolve: names it, with the scheme's port", async () => {
    // .invalid never resolves (RFC 6761).
    const error = await failure("https://metastudio.invalid", 1);
    expect(error.message).toMatch(
      /^MetaStudio could not be reached \((ENOTFOUND|EAI_AGAIN)\) while connecting to metastudio\.invalid:443 for project /,
    );
  });

  it("a connection closed after the request was sent is not a connect failure", async () => {
    const port = await listen((socket) => socket.once("data", () => socket.end()));
    const error = await failure(`http://127.0.0.1:${port}`);
    expect(error.message).toBe(
      `MetaStudio closed the connection without answering (UND_ERR_SOCKET) ${scope}; gave up after 2 attempts`,
    );
  });
});

import { createServer, type Server, type Socket } from "node:net";
import { Writable } from "node:stream";

import { errors } from "undici";
import { afterEach, describe, expect, it } from "vitest";

import { createLogger } from "../../src/logger.js";
import { MetaStudioClient } from "../../src/metastudio/metastudio-client.js";
import { MetaStudioError } from "../../src/metastudio/metastudio-error.js";
import { errorFromTransport } from "../../src/metastudio/response-error.js";
import { simulatorClientConfig } from "../../src/simulator/simulator-client-config.js";

/**
 * An upstream that accepts the connection and closes it without a byte (a load balancer with no
 * healthy backend, a gateway restarting) was reached: the error must say it closed the
 * connection, not send the reader to DNS and routing. A refused connection still "could not be
 * reached". Both are retried.
 */
const PROJECT = "0123456789abcdef0123456789abcdef";

const servers: Server[] = [];
const sockets = new Set<Socket>();
const clients: MetaStudioClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  // A server socket that never reads never sees the client's FIN, and close() waits for it.
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A TCP server running `onConnection` for each socket; its port. */
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

/** The error of one page from `endpoint`, after two attempts. */
async function failure(endpoint: string): Promise<MetaStudioError> {
  const client = new MetaStudioClient({
    config: simulatorClientConfig(endpoint, [PROJECT], "token", { maxAttempts: 2 }),
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

describe("an upstream that closes the connection without answering", () => {
  it.each([
    ["over http, closed on connect", "http", (socket: Socket) => socket.end(), "UND_ERR_SOCKET", ""],
    [
      "over http, closed after reading the request",
      "http",
      (socket: Socket) => socket.once("data", () => socket.end()),
      "UND_ERR_SOCKET",
      "",
    ],
    [
      "over http, reset after reading the request",
      "http",
      (socket: Socket) => socket.once("data", () => socket.resetAndDestroy()),
      "ECONNRESET",
      "",
    ],
    // The TLS handshake never completes: the way a closing https endpoint shows.
    // A handshake cut short is a failed connect, which names where it connected to.
    ["over https, closed on connect", "https", (socket: Socket) => socket.end(), "ECONNRESET", "connecting"],
  ])("says so, not that it could not be reached: %s", async (_case, scheme, onConnection, code, phase) => {
    const port = await listen(onConnection);
    const error = await failure(`${scheme}://127.0.0.1:${port}`);
    const where = phase === "connecting" ? ` while connecting to 127.0.0.1:${port}` : "";
    expect(error.message).toBe(
      `MetaStudio closed the connection without answering (${code})${where} for project ${PROJECT} (no request ID); gave up after 2 attempts`,
    );
    expect(error).toMatchObject({ retryable: true, attempts: 2, status: undefined });
  });

  it("still could not be reached when the connection is refused", async () => {
    const port = await listen(() => undefined);
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const error = await failure(`http://127.0.0.1:${port}`);
    expect(error.message).toBe(
      `MetaStudio could not be reached (ECONNREFUSED) while connecting to 127.0.0.1:${port} for project ${PROJECT} (no request ID); gave up after 2 attempts`,
    );
    expect(error).toMatchObject({ retryable: true, attempts: 2 });
  });

  it("still could not be reached when the host name does not resolve", async () => {
    // .invalid never resolves (RFC 6761).
    const error = await failure("http://metastudio.invalid");
    expect(error.message).toMatch(/^MetaStudio could not be reached \((ENOTFOUND|EAI_AGAIN)\) /);
  });

  it("still could not be reached when the connect times out", () => {
    // undici's own error: a real connect timeout needs a host that drops SYNs, which a test lacks.
    const timeout = new errors.ConnectTimeoutError("Connect Timeout Error (attempted address: x:443)");
    const error = errorFromTransport(timeout, {
      service: "MetaStudio",
      projectId: PROJECT,
      timeoutMs: 30_000,
    });
    expect(error.message).toBe(
      `MetaStudio could not be reached (UND_ERR_CONNECT_TIMEOUT) for project ${PROJECT} (no request ID)`,
    );
    expect(error.retryable).toBe(true);
  });
});

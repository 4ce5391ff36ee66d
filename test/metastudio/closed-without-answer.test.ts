import type { Socket } from "node:net";

import { errors } from "undici";
import { describe, expect, it } from "vitest";

import { errorFromTransport } from "../../src/metastudio/response-error.js";
import { PROJECT, useRawUpstream } from "./fixtures/raw-upstream.js";

/**
 * An upstream that accepts the connection and closes it without a byte (a load balancer with no
 * healthy backend, a gateway restarting) was reached: the error must say it closed the
 * connection, not send the reader to DNS and routing. A refused connection still "could not be
 * reached". Both are retried.
 */

const { listen, failure, closeLast } = useRawUpstream();

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
    await closeLast();
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

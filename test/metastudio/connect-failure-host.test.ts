import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PROJECT, useRawUpstream } from "./fixtures/raw-upstream.js";

/**
 * A connection to the upstream that could not be opened says so and names the host and port it
 * was opened to: Node's own error names an IP address at best, a reset TLS handshake nothing.
 * Retried as before. No proxy here (see proxy-failures.test.ts).
 */
const scope = `for project ${PROJECT} (no request ID)`;

beforeEach(() => {
  for (const name of ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"]) vi.stubEnv(name, undefined);
});

afterEach(() => vi.unstubAllEnvs());
const { listen, failure, closeLast } = useRawUpstream();

describe("a connection to the upstream that cannot be opened", () => {
  it("refused: names the host and port", async () => {
    const port = await listen(() => undefined);
    await closeLast();
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

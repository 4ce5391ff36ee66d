import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { Writable } from "node:stream";

import { describe, expect, it } from "vitest";

import type { AuthConfig } from "../../src/config/config.js";
import { createLogger } from "../../src/logger.js";
import { MetaStudioClient } from "../../src/metastudio/metastudio-client.js";
import { MetaStudioError } from "../../src/metastudio/metastudio-error.js";
import { startSimulator } from "../../src/simulator/simulator.js";
import { simulatorClientConfig } from "../../src/simulator/simulator-client-config.js";
import { useCloseAfterEach } from "../support/close-after-each.js";

/**
 * An upstream, or a proxy in front of it, that answers with bytes undici cannot read as HTTP:
 * it did answer, so the error must not say it "could not be reached", and it must keep none of
 * the bytes, which can be our own request echoed back with its credentials.
 */
const PROJECT = "0123456789abcdef0123456789abcdef";
const TOKEN = `tok-${randomBytes(8).toString("hex")}`;
const PASSWORD = `pw-${randomBytes(8).toString("hex")}`;

const closeAfterEach = useCloseAfterEach();

async function setup(auth: "token" | "iam" = "token") {
  const sim = await startSimulator({
    projectIds: [PROJECT],
    roomsPerProject: 20,
    credentials: {
      accessKeys: {},
      tokens: [TOKEN],
      iamUsers: [{ domain: "acme", username: "bot", password: PASSWORD }],
    },
  });
  closeAfterEach(sim);
  const iam: AuthConfig = {
    kind: "iam-password",
    iamEndpoint: sim.url,
    domain: "acme",
    username: "bot",
    password: PASSWORD,
  };
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const client = new MetaStudioClient({
    config: simulatorClientConfig(sim.url, [PROJECT], TOKEN, {
      maxAttempts: 3,
      ...(auth === "iam" ? { auth: iam } : {}),
    }),
    logger: createLogger("debug", sink),
    baseDelayMs: 1,
    maxDelayMs: 5,
  });
  closeAfterEach(client);
  return { sim, client, logs };
}

const page = (client: MetaStudioClient) =>
  client.listSmartChatRooms({ projectId: PROJECT, offset: 0, limit: 10 });

async function failure(promise: Promise<unknown>): Promise<MetaStudioError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(MetaStudioError);
    return error as MetaStudioError;
  }
  throw new Error("expected the request to fail");
}

const OK = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n";

describe("a malformed HTTP answer", () => {
  it.each([
    [
      "a header value with a control character",
      `${OK}X-Trace: a\x01b\r\nContent-Length: 2\r\n\r\n{}`,
      "Invalid header value char",
    ],
    [
      "a header name with a space",
      `${OK}Bad Header: x\r\nContent-Length: 2\r\n\r\n{}`,
      "Invalid header token",
    ],
    ["a status line that is not HTTP", "SSH-2.0-OpenSSH_9.6\r\n", "Expected HTTP/, RTSP/ or ICE/"],
    ["a status code that is not a number", "HTTP/1.1 2x0 OK\r\n\r\n", "Invalid status code"],
    [
      "a Content-Length that is not a number",
      `${OK}Content-Length: abc\r\n\r\n{}`,
      "Invalid character in Content-Length",
    ],
    [
      "a Content-Length with digits then garbage",
      `${OK}Content-Length: 12abc\r\n\r\n{}`,
      "UND_ERR_RES_CONTENT_LENGTH_MISMATCH: headers unreadable at or after Content-Length",
    ],
    [
      "two Content-Lengths that disagree",
      `${OK}Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}`,
      "UND_ERR_RES_CONTENT_LENGTH_MISMATCH: headers unreadable at or after Content-Length",
    ],
    ["a 100 Continue to a GET", "HTTP/1.1 100 Continue\r\n\r\n", "UND_ERR_SOCKET: bad response"],
    [
      "headers past undici's size limit",
      `${OK}X-Padding: ${"a".repeat(70_000)}\r\nContent-Length: 2\r\n\r\n{}`,
      "UND_ERR_HEADERS_OVERFLOW: headers larger than undici accepts",
    ],
  ])("is reported as malformed, not unreachable: %s", async (_case, bytes, reason) => {
    const { client, sim } = await setup();
    sim.hostile.always("list", { kind: "raw", bytes });
    const error = await failure(page(client));
    expect(error.message).toBe(
      `MetaStudio answered with a malformed HTTP response (${reason}) for project ${PROJECT} (no request ID); gave up after 3 attempts`,
    );
    // Retried like a network fault: a proxy's garbage is often gone on a fresh connection.
    expect(error).toMatchObject({ status: undefined, retryable: true, attempts: 3, service: "metastudio" });
    expect(sim.requests).toHaveLength(3);
  });

  it("names the status and request ID when the headers were read and the body was not", async () => {
    const { client, sim } = await setup();
    const bytes = `${OK}X-Request-Id: rid-0042\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`;
    sim.hostile.always("list", { kind: "raw", bytes });
    const error = await failure(page(client));
    expect(error.message).toBe(
      `MetaStudio answered 200 with a malformed HTTP response (Invalid character in chunk size) for project ${PROJECT} (request rid-0042); gave up after 3 attempts`,
    );
    expect(error).toMatchObject({ status: 200, requestId: "rid-0042", retryable: true });
  });

  it("succeeds on the next try when the garbage was once", async () => {
    const { client, sim } = await setup();
    sim.hostile.once("list", { kind: "raw", bytes: "<html>Bad Gateway</html>\r\n" });
    const result = await page(client);
    expect(result.attempts).toBe(2);
    expect(result.rooms).toHaveLength(10);
  });

  it("keeps none of the answer's bytes, which may echo the token sent", async () => {
    const { client, sim, logs } = await setup();
    // A broken proxy answering with the request it was sent, credentials and all.
    const echo = `GET /v1/${PROJECT}/smart-chat-rooms HTTP/1.1\r\nX-Auth-Token: ${TOKEN}\r\n\r\n`;
    sim.hostile.always("list", { kind: "raw", bytes: echo });
    const error = await failure(page(client));
    expect(error.message).toMatch(/malformed HTTP response \(Expected HTTP\/, RTSP\/ or ICE\/\)/);
    expect(inspect(error, { depth: 8 })).not.toContain(TOKEN);
    expect(logs.join("")).not.toContain(TOKEN);
  });
});

describe("a malformed HTTP answer to the IAM token request", () => {
  it("names IAM and what it sent, retries, and keeps none of the bytes that echo the password", async () => {
    const { client, sim } = await setup("iam");
    const echo = `${OK}Bad Header: x\r\nX-Echo: {"password":"${PASSWORD}"}\r\n\r\n`;
    sim.hostile.always("iam", { kind: "raw", bytes: echo });
    const error = await failure(page(client));
    expect(error.message).toBe(
      `IAM answered with a malformed HTTP response (Invalid header token) for a token for project ${PROJECT} (no request ID); gave up after 3 attempts`,
    );
    expect(error).toMatchObject({ status: undefined, retryable: true, service: "iam" });
    expect(inspect(error, { depth: 8 })).not.toContain(PASSWORD);
    expect(sim.requests.filter((r) => r.path === "/v3/auth/tokens")).toHaveLength(3);
    expect(sim.requests.filter((r) => r.projectId !== undefined)).toHaveLength(0);
  });
});

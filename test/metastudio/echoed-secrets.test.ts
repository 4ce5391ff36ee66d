import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";

import { afterEach, describe, expect, it } from "vitest";

import type { AuthConfig } from "../../src/config/config.js";
import { createLogger } from "../../src/logger.js";
import { MetaStudioClient } from "../../src/metastudio/metastudio-client.js";
import { MetaStudioError } from "../../src/metastudio/metastudio-error.js";

const PROJECT = "0123456789abcdef0123456789abcdef";
const TOKEN = `tok-${randomBytes(16).toString("hex")}`;
const PASSWORD = `pw-${randomBytes(16).toString("hex")}`;
/** A password JSON and URLs escape: what an echo of the request's body carries is not its text. */
const CORE = randomBytes(16).toString("hex");
const ESCAPED_PASSWORD = `Ab"${CORE}\\Q 9&/`;

/**
 * An upstream that quotes back what it was sent: MetaStudio the token, IAM the password, in the
 * error text (and code) a client keeps in its message, its log and the run's row.
 */
async function echoingUpstream(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      res.setHeader("x-request-id", "rid-echo");
      res.statusCode = 401;
      if (req.url?.startsWith("/v3/auth/tokens")) {
        const sent = JSON.parse(body) as {
          auth: { identity: { password: { user: { password: string } } } };
        };
        const password = sent.auth.identity.password.user.password;
        // Gateways quote the request itself: the password as JSON wrote it, or as a form would.
        const message =
          password === ESCAPED_PASSWORD
            ? `bad request ${body}, as a form: password=${encodeURIComponent(password).replace(/%20/g, "+")}`
            : `password ${password} is wrong`;
        res.end(JSON.stringify({ error: { code: "IAM.0005", message } }));
      } else {
        const token = String(req.headers["x-auth-token"]);
        res.end(JSON.stringify({ error_code: `BAD.${token}`, error_msg: `token ${token} has expired` }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

let upstream: { url: string; server: Server } | undefined;
afterEach(async () => {
  await new Promise((resolve) => upstream?.server.close(resolve));
  upstream = undefined;
});

async function failWith(
  auth: (url: string) => AuthConfig,
): Promise<{ error: MetaStudioError; logs: string }> {
  upstream = await echoingUpstream();
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const client = new MetaStudioClient({
    config: {
      endpoint: upstream.url,
      projectIds: [PROJECT],
      auth: auth(upstream.url),
      appUserId: undefined,
      rateLimitPerSecond: 10_000,
      requestTimeoutMs: 5000,
      maxAttempts: 2,
      pageConcurrency: 1,
    },
    logger: createLogger("debug", sink),
    baseDelayMs: 1,
    maxDelayMs: 5,
  });
  try {
    await client.listSmartChatRooms({ projectId: PROJECT, offset: 0, limit: 100 });
  } catch (error) {
    expect(error).toBeInstanceOf(MetaStudioError);
    return { error: error as MetaStudioError, logs: lines.join("") };
  } finally {
    await client.close();
  }
  throw new Error("expected the request to fail");
}

describe("an upstream that echoes a credential in its error", () => {
  it("has MetaStudio's echo of the token masked in the message, the fields and the log", async () => {
    const { error, logs } = await failWith(() => ({ kind: "token", token: TOKEN }));
    expect(error.message).toMatch(/token \*\*\* has expired/);
    expect(error.message).toMatch(/request rid-echo/);
    for (const text of [error.message, String(error.errorCode), String(error.errorMsg), logs]) {
      expect(text).not.toContain(TOKEN);
    }
  });

  it("has IAM's echo of the password masked in the message, the fields and the log", async () => {
    const { error, logs } = await failWith((url) => ({
      kind: "iam-password",
      iamEndpoint: url,
      domain: "acme",
      username: "sync-bot",
      password: PASSWORD,
    }));
    expect(error.message).toMatch(/IAM refused a token .* "password \*\*\* is wrong"/);
    for (const text of [error.message, String(error.errorMsg), logs]) expect(text).not.toContain(PASSWORD);
  });

  it("has IAM's echo of the request body masked, where the password is JSON- or form-escaped", async () => {
    const { error, logs } = await failWith((url) => ({
      kind: "iam-password",
      iamEndpoint: url,
      domain: "acme",
      username: "sync-bot",
      password: ESCAPED_PASSWORD,
    }));
    expect(error.message).toMatch(/"password\\":\\"\*\*\*\\"/);
    expect(error.message).toMatch(/password=\*\*\*"/);
    // Hex survives every escaping: none of the outputs holds the password in any form.
    for (const text of [error.message, String(error.errorMsg), logs]) expect(text).not.toContain(CORE);
  });
});

import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";

import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";

import { createLogger } from "../../src/logger.js";
import { MetaStudioClient } from "../../src/metastudio/metastudio-client.js";
import { MetaStudioError } from "../../src/metastudio/metastudio-error.js";
import { createRedisRateLimiter, type RateLimiter } from "../../src/metastudio/rate-limiter.js";
import { classifySyncFailure } from "../../src/queue/classify-sync-failure.js";
import { startSimulator, type Simulator } from "../../src/simulator/simulator.js";
import { simulatorClientConfig } from "../../src/simulator/simulator-client-config.js";
import type { MetaStudioConfig } from "../../src/config/config.js";
import { useCloseAfterEach } from "../support/close-after-each.js";

/**
 * The upstream as an attacker would run it, over real HTTP: each test is one finding of
 * issue 10 and failed before its fix.
 */
const PROJECT = "0123456789abcdef0123456789abcdef";
const TOKEN = `tok-${randomBytes(8).toString("hex")}`;
const PASSWORD = `pw-${randomBytes(8).toString("hex")}`;
const TEN_HOURS = "36000";
const redis = new Redis(inject("redisUrl"));

const closeAfterEach = useCloseAfterEach();
afterAll(async () => {
  await redis.quit();
});

async function setup(config: Partial<MetaStudioConfig> = {}, rateLimiter?: RateLimiter) {
  const sim = await startSimulator({
    projectIds: [PROJECT],
    roomsPerProject: 50,
    credentials: {
      accessKeys: {},
      tokens: [TOKEN],
      iamUsers: [{ domain: "acme", username: "bot", password: PASSWORD }],
    },
  });
  closeAfterEach(sim);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const client = new MetaStudioClient({
    config: simulatorClientConfig(sim.url, [PROJECT], TOKEN, { maxAttempts: 3, ...config }),
    logger: createLogger("info", sink),
    rateLimiter,
    baseDelayMs: 2,
    maxDelayMs: 20,
  });
  closeAfterEach(client);
  return { sim, client, logs };
}

const throttled = (retryAfter: string) =>
  ({
    kind: "status",
    status: 429,
    headers: { "Retry-After": retryAfter },
    body: { error_code: "APIGW.0308", error_msg: "The throttling threshold has been reached" },
  }) as const;

const listed = (s: Simulator) => s.requests.filter((r) => r.projectId !== undefined);

describe("Retry-After", () => {
  it("honours a ten-hour Retry-After only up to the cap, in the sleep and the shared limiter's hold", async () => {
    const prefix = `msync-hostile-${randomBytes(4).toString("hex")}`;
    const shared = createRedisRateLimiter(redis, 10_000, prefix, 1000);
    const holds: number[] = [];
    const limiter: RateLimiter = {
      acquire: (signal) => shared.acquire(signal),
      penalize: async (ms) => {
        await shared.penalize!(ms);
        holds.push(await redis.pttl(`${prefix}:hold:penalty`));
      },
    };
    const { sim, client, logs } = await setup({ maxRetryAfterMs: 1000 }, limiter);
    sim.hostile.once("list", throttled(TEN_HOURS));
    const page = await client.listSmartChatRooms({ projectId: PROJECT, offset: 0, limit: 10 });
    expect(page.rooms).toHaveLength(10);
    expect(listed(sim)).toHaveLength(2);
    // The hold every worker of the account shares lasts the cap, not ten hours.
    expect(holds).toHaveLength(1);
    expect(holds[0]).toBeGreaterThan(0);
    expect(holds[0]).toBeLessThanOrEqual(1000);
    expect(logs.join("")).toContain("METASTUDIO_MAX_RETRY_AFTER_SECONDS");
  });

  it("hands the worker a capped Retry-After when throttling outlasts the retries", async () => {
    const { sim, client } = await setup({ maxRetryAfterMs: 1000, maxAttempts: 1 });
    sim.hostile.once("list", throttled(TEN_HOURS));
    const error = await client
      .listSmartChatRooms({ projectId: PROJECT, offset: 0, limit: 10 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetaStudioError);
    expect((error as MetaStudioError).retryAfterSeconds).toBe(1);
    // The worker's queue hold, which stops every project, is the cap at most.
    expect(classifySyncFailure(error, 0, 1000)).toEqual({ kind: "throttled", retryAfterMs: 1000 });
  });

  it("caps an HTTP-date Retry-After the same way", async () => {
    const { sim, client } = await setup({ maxRetryAfterMs: 1000, maxAttempts: 1 });
    sim.hostile.once("list", throttled(new Date(Date.now() + 36_000_000).toUTCString()));
    const error = (await client
      .listSmartChatRooms({ projectId: PROJECT, offset: 0, limit: 10 })
      .catch((e: unknown) => e)) as MetaStudioError;
    expect(error.retryAfterSeconds).toBe(1);
  });
});

describe("response bodies", () => {
  const MB = 1024 * 1024;
  const expectTooLarge = (error: unknown, service: "MetaStudio" | "IAM") => {
    expect(error).toBeInstanceOf(MetaStudioError);
    const message = (error as MetaStudioError).message;
    expect(message).toContain(`${service} answered 200 with a body larger than`);
    expect(message).toContain("METASTUDIO_MAX_BODY_BYTES");
    expect((error as MetaStudioError).retryable).toBe(false);
  };

  it("refuses a body whose Content-Length is over the limit without reading it", async () => {
    const { sim, client } = await setup({ maxBodyBytes: MB });
    sim.hostile.once("list", { kind: "oversized", bytes: 200 * MB, declareLength: true });
    const error = await client
      .listSmartChatRooms({ projectId: PROJECT, offset: 0, limit: 10 })
      .catch((e: unknown) => e);
    expectTooLarge(error, "MetaStudio");
    // Not retried: the same page would be as large again.
    expect(listed(sim)).toHaveLength(1);
  });

  it("counts a chunked body while it streams and drops it at the limit", async () => {
    const { sim, client } = await setup({ maxBodyBytes: MB });
    sim.hostile.once("list", { kind: "oversized", bytes: 50 * MB });
    const error = await client
      .listSmartChatRooms({ projectId: PROJECT, offset: 0, limit: 10 })
      .catch((e: unknown) => e);
    expectTooLarge(error, "MetaStudio");
  });

  it("ends an endless body with a clear error instead of reading it until memory runs out", async () => {
    const { sim, client } = await setup({ maxBodyBytes: 4 * MB });
    sim.hostile.always("list", { kind: "endless" });
    const error = await client
      .listSmartChatRooms({ projectId: PROJECT, offset: 0, limit: 10 })
      .catch((e: unknown) => e);
    expectTooLarge(error, "MetaStudio");
    // The simulator stops writing once the client hangs up; some socket buffers' worth at most.
    expect(sim.hostile.bytesSent).toBeLessThan(64 * MB);
  });

  it("limits IAM's token answer as well", async () => {
    const { sim } = await setup();
    const client = new MetaStudioClient({
      config: simulatorClientConfig(sim.url, [PROJECT], TOKEN, {
        maxAttempts: 2,
        maxBodyBytes: MB,
        auth: {
          kind: "iam-password",
          iamEndpoint: sim.url,
          domain: "acme",
          username: "bot",
          password: PASSWORD,
        },
      }),
      logger: createLogger("silent"),
    });
    closeAfterEach(client);
    sim.hostile.always("iam", { kind: "endless" });
    const error = await client
      .listSmartChatRooms({ projectId: PROJECT, offset: 0, limit: 10 })
      .catch((e: unknown) => e);
    expectTooLarge(error, "IAM");
  });
});

describe("upstream text", () => {
  it("stores error codes and request IDs clipped and without control characters", async () => {
    const { sim, client } = await setup({ maxAttempts: 1 });
    const codes: Array<string | undefined> = [];
    const ids: Array<string | undefined> = [];
    sim.hostile.once("list", {
      kind: "status",
      status: 400,
      headers: { "X-Request-Id": "r".repeat(5000) },
      body: { error_code: `\u001b[2J\u001b[31mMSS.${"9".repeat(10_000)}`, error_msg: "bad" },
    });
    const error = (await client
      .listSmartChatRooms(
        { projectId: PROJECT, offset: 0, limit: 10 },
        {
          onRequest: (record) => {
            codes.push(record.errorCode);
            ids.push(record.requestId);
          },
        },
      )
      .catch((e: unknown) => e)) as MetaStudioError;
    expect(codes[0]!.length).toBeLessThanOrEqual(129);
    expect(codes[0]).not.toContain("\u001b");
    expect(codes[0]).toMatch(/^\\x1b\[2J/);
    expect(ids[0]!.length).toBeLessThanOrEqual(129);
    expect(error.message.length).toBeLessThan(1000);
    expect(error.message).not.toContain("\u001b");
  });
});

describe("IAM over plain http", () => {
  it("warns that the password travels unencrypted", () => {
    const logs: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(chunk.toString());
        done();
      },
    });
    const client = new MetaStudioClient({
      config: simulatorClientConfig("https://metastudio.example.com", [PROJECT], TOKEN, {
        auth: {
          kind: "iam-password",
          iamEndpoint: "http://iam.example.com",
          domain: "d",
          username: "u",
          password: PASSWORD,
        },
      }),
      logger: createLogger("info", sink),
    });
    closeAfterEach(client);
    expect(logs.join("")).toContain("the IAM password travels unencrypted");
    expect(logs.join("")).not.toContain(PASSWORD);
  });
});

describe("hostile pages", () => {
  it("reports a count of 1e12 as a page that cannot be real, not an array it cannot make", async () => {
    const { sim, client } = await setup();
    sim.hostile.always("list", { kind: "page", body: { count: 1e12, smart_chat_rooms: [] } });
    const error = (await client
      .listSmartChatRooms({ projectId: PROJECT, offset: 0, limit: 10 })
      .catch((e: unknown) => e)) as MetaStudioError;
    expect(error.message).toContain("count 1000000000000 cannot be real");
    expect(error.retryable).toBe(false);
  });

  it("skips an item nested 100,000 deep and keeps the rest of its page", async () => {
    const { sim, client } = await setup();
    const levels = 100_000;
    const deep = `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
    sim.hostile.once("list", {
      kind: "text",
      body: `{"count":2,"smart_chat_rooms":[{"room_id":"good"},{"room_id":"deep","x":${deep}}]}`,
    });
    const page = await client.listSmartChatRooms({ projectId: PROJECT, offset: 0, limit: 10 });
    expect(page.rooms.map((r) => r.room_id)).toEqual(["good"]);
    expect(page.invalid).toMatchObject([{ offset: 1, reason: "item: nested deeper than 32 levels" }]);
  });
});

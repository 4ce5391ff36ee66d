import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";

import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";

import type { AuthConfig, MetaStudioConfig } from "../../src/config/config.js";
import { createLogger } from "../../src/logger.js";
import { MetaStudioClient, type RequestRecord } from "../../src/metastudio/metastudio-client.js";
import { MetaStudioError } from "../../src/metastudio/metastudio-error.js";
import { createRedisRateLimiter } from "../../src/metastudio/rate-limiter.js";
import { startSimulator, type SimulatorOptions } from "../../src/simulator/simulator.js";
import { useCloseAfterEach } from "../support/close-after-each.js";

const PROJECT = "0123456789abcdef0123456789abcdef";
const SECRETS = {
  ak: "HPUAK3XAMPLE1234",
  sk: `sk-${randomBytes(16).toString("hex")}`,
  token: `tok-${randomBytes(16).toString("hex")}`,
  password: `pw-${randomBytes(16).toString("hex")}`,
};
const CREDENTIALS = {
  accessKeys: { [SECRETS.ak]: SECRETS.sk },
  tokens: [SECRETS.token],
  iamUsers: [{ domain: "acme", username: "sync-bot", password: SECRETS.password }],
};

const closeAfterEach = useCloseAfterEach();

async function setup(options: {
  auth?: "aksk" | "token" | "iam";
  iamPassword?: string;
  behaviour?: SimulatorOptions["behaviour"];
  config?: Partial<MetaStudioConfig>;
  rooms?: number;
  logs?: string[];
  onRequest?: (record: RequestRecord) => void;
}) {
  const sim = await startSimulator({
    projectIds: [PROJECT],
    roomsPerProject: options.rooms ?? 250,
    credentials: CREDENTIALS,
    behaviour: options.behaviour,
  });
  closeAfterEach(sim);
  const auth: AuthConfig =
    options.auth === "aksk"
      ? { kind: "aksk", accessKey: SECRETS.ak, secretKey: SECRETS.sk }
      : options.auth === "iam"
        ? {
            kind: "iam-password",
            iamEndpoint: sim.url,
            domain: "acme",
            username: "sync-bot",
            password: options.iamPassword ?? SECRETS.password,
          }
        : { kind: "token", token: SECRETS.token };
  const logs = options.logs;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs?.push(chunk.toString());
      done();
    },
  });
  const client = new MetaStudioClient({
    config: {
      endpoint: sim.url,
      projectIds: [PROJECT],
      auth,
      appUserId: undefined,
      rateLimitPerSecond: 10_000,
      requestTimeoutMs: 5000,
      maxAttempts: 6,
      pageConcurrency: 4,
      ...options.config,
    },
    logger: createLogger("debug", sink),
    baseDelayMs: 1,
    maxDelayMs: 5,
    onRequest: options.onRequest,
  });
  closeAfterEach(client);
  return { sim, client };
}

const page = (client: MetaStudioClient, offset = 0, limit = 100) =>
  client.listSmartChatRooms({ projectId: PROJECT, offset, limit });

async function failure(promise: Promise<unknown>): Promise<MetaStudioError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(MetaStudioError);
    return error as MetaStudioError;
  }
  throw new Error("expected the request to fail");
}

describe("MetaStudioClient", () => {
  for (const auth of ["token", "aksk", "iam"] as const) {
    it(`pages through every room with ${auth} authentication`, async () => {
      const { client, sim } = await setup({ auth });
      const ids = new Set<string>();
      for (let offset = 0; offset < 250; offset += 100) {
        const result = await page(client, offset);
        expect(result.count).toBe(250);
        expect(result.requestId).toMatch(/^[0-9a-f]{32}$/);
        for (const room of result.rooms) ids.add(room.room_id);
      }
      expect(ids.size).toBe(250);
      expect(
        sim.requests.filter((r) => r.path.includes("smart-chat-rooms")).every((r) => r.status === 200),
      ).toBe(true);
    });
  }

  it("sends times, names and X-App-UserId as given", async () => {
    const { client, sim } = await setup({ config: { appUserId: "user-42" } });
    await client.listSmartChatRooms({
      projectId: PROJECT,
      offset: 0,
      limit: 5,
      roomName: "展厅 Sara",
      startTime: "2024-01-01T00:00:00Z",
      endTime: "2024-02-01T00:00:00Z",
    });
    const last = sim.requests.at(-1)!;
    expect(last.headers["x-app-userid"]).toBe("user-42");
    expect(last.query).toMatchObject({
      room_name: "展厅 Sara",
      start_time: "2024-01-01T00:00:00Z",
      limit: "5",
    });
  });

  it("retries 5xx, 429, resets and truncated bodies to success, recording every attempt", async () => {
    const records: RequestRecord[] = [];
    const { client, sim } = await setup({
      behaviour: {
        error5xxRate: 0.25,
        throttleRate: 0.2,
        resetRate: 0.1,
        truncateRate: 0.1,
        retryAfterSeconds: 0,
      },
      config: { maxAttempts: 30 },
      onRequest: (r) => records.push(r),
    });
    for (let read = 0; read < 4; read += 1) {
      for (let offset = 0; offset < 250; offset += 100) await page(client, offset);
    }
    const statuses = new Set(sim.requests.map((r) => r.status));
    for (const status of [500, 429, -1, -200, 200]) expect(statuses, `status ${status}`).toContain(status);
    expect(records.length).toBe(sim.requests.length);
    expect(records.filter((r) => r.status === 200 && r.items !== undefined)).toHaveLength(12);
    expect(records.some((r) => r.status === undefined && r.requestId === undefined)).toBe(true); // a reset
    expect(records.find((r) => r.status === 500)?.errorCode).toBe("MSS.00000004");
    expect(Math.max(...records.map((r) => r.attempt))).toBeGreaterThan(1);
  });

  it("gives up after the configured attempts with the code, request ID and count", async () => {
    const { client, sim } = await setup({ behaviour: { error5xxRate: 1 }, config: { maxAttempts: 3 } });
    const error = await failure(page(client));
    expect(sim.requests).toHaveLength(3);
    expect(error).toMatchObject({ status: 500, errorCode: "MSS.00000004", retryable: true });
    expect(error.requestId).toBe(sim.requests.at(-1)!.requestId);
    expect(error.message).toContain(`MSS.00000004`);
    expect(error.message).toContain(error.requestId!);
    expect(error.message).toMatch(/gave up after 3 attempts/);
  });

  it("does not retry a 400, and says which parameter", async () => {
    const { client, sim } = await setup({});
    const error = await failure(page(client, 0, 500));
    expect(sim.requests).toHaveLength(1);
    expect(error).toMatchObject({ status: 400, errorCode: "MSS.00000003", retryable: false });
    expect(error.message).toMatch(/limit/);
  });

  it("does not retry a refused token", async () => {
    const { client, sim } = await setup({ config: { auth: { kind: "token", token: "wrong" } } });
    const error = await failure(page(client));
    expect(sim.requests).toHaveLength(1);
    expect(error).toMatchObject({ status: 401, errorCode: "MSS.00000001", retryable: false });
  });

  it("caches the IAM token, renews it once on a 401, and fails on a second", async () => {
    const { client, sim } = await setup({ auth: "iam" });
    await Promise.all([page(client), page(client, 100), page(client, 200)]);
    expect(sim.issuedTokens).toBe(1);
    sim.revokeTokens();
    await page(client);
    expect(sim.issuedTokens).toBe(2);
    expect(sim.requests.filter((r) => r.status === 401)).toHaveLength(1);
  });

  it("names IAM and its error code when the password is wrong, without retrying", async () => {
    const { client, sim } = await setup({ auth: "iam", iamPassword: "wrong" });
    const error = await failure(page(client));
    expect(error).toMatchObject({ status: 401, errorCode: "IAM.0005", retryable: false, service: "iam" });
    expect(error.message).toMatch(/IAM refused a token for project/);
    expect(sim.requests.filter((r) => r.path === "/v3/auth/tokens")).toHaveLength(1);
    expect(sim.requests.filter((r) => r.path.includes("smart-chat-rooms"))).toHaveLength(0);
  });

  it("skips and reports items that cannot be mirrored, keeping the rest of the page", async () => {
    const { client, sim } = await setup({ rooms: 20 });
    sim.injectItem(PROJECT, { room_name: "no id" });
    sim.injectItem(PROJECT, { room_id: "bad", concurrency: "many" });
    const result = await page(client);
    expect(result.count).toBe(22);
    expect(result.rooms).toHaveLength(20);
    expect(result.invalid.map((i) => i.reason).join(" ")).toMatch(/room_id/);
    expect(result.invalid.map((i) => i.reason).join(" ")).toMatch(/concurrency/);
    for (const invalid of result.invalid) {
      expect(invalid.requestId).toBe(result.requestId);
      expect(invalid.offset).toBe(invalid.index);
    }
  });

  it("keeps values outside the documented ranges as sent", async () => {
    const logs: string[] = [];
    const { client, sim } = await setup({ rooms: 1, logs });
    sim.injectItem(PROJECT, { room_id: "loud", concurrency: 5000, voice_config_list: [{ volume: 999 }] });
    const result = await page(client);
    const loud = result.rooms.find((r) => r.room_id === "loud")!;
    expect(loud.concurrency).toBe(5000);
    expect(logs.join("")).toMatch(/"field":"voice_config_list\[0\]\.volume","value":999/);
  });

  it("logs one line per attempt with what an audit needs", async () => {
    const logs: string[] = [];
    const { client } = await setup({ logs, behaviour: { error5xxRate: 0.5 }, config: { maxAttempts: 20 } });
    await page(client);
    const lines = logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === "metastudio request");
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).toMatchObject({ level: 30, project_id: PROJECT, offset: 0, limit: 100 });
      expect(line).toHaveProperty("request_id");
      expect(line).toHaveProperty("attempt");
      expect(line).toHaveProperty("duration_ms");
    }
    expect(lines.at(-1)).toMatchObject({ status: 200, items: 100 });
  });

  it("never writes a secret to the log or into an error, in any auth mode", async () => {
    const logs: string[] = [];
    const errors: string[] = [];
    for (const auth of ["token", "aksk", "iam"] as const) {
      const { client, sim } = await setup({
        auth,
        logs,
        behaviour: { error5xxRate: 0.3, throttleRate: 0.2, retryAfterSeconds: 0 },
        config: { maxAttempts: 30 },
      });
      await page(client);
      if (auth === "iam") {
        sim.revokeTokens();
        await page(client);
      }
      sim.setBehaviour({ error5xxRate: 1 });
      const error = await failure(page(client));
      errors.push(error.message, JSON.stringify(error), String(error.stack));
      await client.close();
      await sim.close();
    }
    const everything = logs.join("\n") + errors.join("\n");
    expect(logs.length).toBeGreaterThan(10);
    for (const secret of [SECRETS.sk, SECRETS.token, SECRETS.password])
      expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/SDK-HMAC-SHA256|Signature=|X-Subject-Token|MII[\w-]{20,}/i);
  });
});

describe("the Redis rate limiter", () => {
  const redis = new Redis(inject("redisUrl"));
  afterAll(async () => {
    await redis.quit();
  });

  it("shares one budget between processes, and a 429's penalty with all of them", async () => {
    const prefix = `msync-test-rl-${randomBytes(4).toString("hex")}`;
    const other = new Redis(inject("redisUrl"));
    const a = createRedisRateLimiter(redis, 2, prefix);
    const b = createRedisRateLimiter(other, 2, prefix);
    const race = (shared: Promise<void>) =>
      Promise.race([
        shared.then(() => "shared budget"),
        createRedisRateLimiter(redis, 2, `${prefix}-own`)
          .acquire()
          .then(() => "own budget"),
      ]);
    await a.acquire();
    await a.acquire();
    // a spent the window's two requests, so b, in another process, has to wait for the next one.
    expect(await race(b.acquire())).toBe("own budget");
    await b.acquire();
    await b.penalize!(3000);
    expect(await race(a.acquire())).toBe("own budget");
    await other.quit();
  });
});

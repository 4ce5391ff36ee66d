import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, inject, it } from "vitest";

import { ConfigError } from "../../src/config/config-error.js";
import { loadConfig } from "../../src/config/config.js";
import { connectRedis } from "../../src/queue/connect-redis.js";
import { createSyncProcessor } from "../../src/queue/sync-processor.js";
import { createLogger } from "../../src/logger.js";

const BASE = {
  METASTUDIO_ENDPOINT: "https://metastudio.example.com",
  METASTUDIO_PROJECT_IDS: "p1,p2",
  METASTUDIO_AUTH_TOKEN: "token-value",
};
const dir = mkdtempSync(join(tmpdir(), "msync-config-"));

const refused = (env: Record<string, string>, pattern: RegExp) => {
  let error: unknown;
  try {
    loadConfig({ ...BASE, ...env });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as Error).message).toMatch(pattern);
  return (error as Error).message;
};

describe("careless configuration", () => {
  it("refuses empty and duplicate project IDs", () => {
    refused({ METASTUDIO_PROJECT_IDS: "p1,,p2" }, /METASTUDIO_PROJECT_IDS has an empty entry/);
    refused({ METASTUDIO_PROJECT_IDS: "p1,p2,p1" }, /METASTUDIO_PROJECT_IDS names "p1" twice/);
  });

  it("refuses a request timeout Node's timers cannot hold", () => {
    refused({ METASTUDIO_REQUEST_TIMEOUT_MS: "3000000000" }, /METASTUDIO_REQUEST_TIMEOUT_MS must be/);
  });

  it("refuses a credential with a line break, naming the variable", () => {
    refused({ METASTUDIO_AUTH_TOKEN: "abc\ndef" }, /METASTUDIO_AUTH_TOKEN contains a control character/);
    const message = refused(
      { METASTUDIO_AUTH_TOKEN: "", HUAWEICLOUD_SDK_AK: "ak", HUAWEICLOUD_SDK_SK: "s\r\nk" },
      /HUAWEICLOUD_SDK_SK contains a control character/,
    );
    expect(message).not.toContain("s\r\nk");
  });

  it("reads *_FILE only from a small regular file, never echoing its content", () => {
    refused({ METASTUDIO_AUTH_TOKEN: "", METASTUDIO_AUTH_TOKEN_FILE: "/dev/zero" }, /not a regular file/);
    refused({ METASTUDIO_AUTH_TOKEN: "", METASTUDIO_AUTH_TOKEN_FILE: dir }, /not a regular file/);
    const big = join(dir, "big");
    writeFileSync(big, "x".repeat(100_000));
    refused({ METASTUDIO_AUTH_TOKEN: "", METASTUDIO_AUTH_TOKEN_FILE: big }, /has 100000 bytes/);
    // A setting pointed at a secret by mistake: the error names the file, not what is in it.
    const secret = join(dir, "secret");
    writeFileSync(secret, "SuperSecret-Value!\n");
    const ids = refused(
      { METASTUDIO_PROJECT_IDS: "", METASTUDIO_PROJECT_IDS_FILE: secret },
      /METASTUDIO_PROJECT_IDS/,
    );
    expect(ids).not.toContain("SuperSecret");
    const number = refused({ METASTUDIO_RATE_LIMIT_FILE: secret }, /METASTUDIO_RATE_LIMIT/);
    expect(number).not.toContain("SuperSecret");
  });

  it("refuses a short ADMIN_TOKEN, a data directory under /proc and a REDIS_URL database that is not a number", () => {
    refused({ ADMIN_TOKEN: "a" }, /ADMIN_TOKEN must have at least 16 characters/);
    refused({ METASTUDIO_SYNC_DATA_DIR: "/proc/self" }, /METASTUDIO_SYNC_DATA_DIR is under proc/);
    refused({ REDIS_URL: "redis://127.0.0.1:6379/abc" }, /REDIS_URL must end in a database number/);
    expect(loadConfig({ ...BASE, ADMIN_TOKEN: "a".repeat(16) }).admin.token).toHaveLength(16);
  });

  it("reads the run budget with its defaults, and refuses a bad one naming the variable", () => {
    expect(loadConfig(BASE).sync.runBudget).toEqual({
      baseRequests: 500,
      requestsPerPage: 10,
      baseMs: 600_000,
      msPerPage: 2000,
    });
    const raised = loadConfig({
      ...BASE,
      SYNC_RUN_REQUESTS: "5000",
      SYNC_RUN_REQUESTS_PER_PAGE: "40",
      SYNC_RUN_SECONDS: "7200",
      SYNC_RUN_SECONDS_PER_PAGE: "0.5",
    });
    expect(raised.sync.runBudget).toEqual({
      baseRequests: 5000,
      requestsPerPage: 40,
      baseMs: 7_200_000,
      msPerPage: 500,
    });
    refused({ SYNC_RUN_REQUESTS: "0" }, /SYNC_RUN_REQUESTS must be a whole number from 1 to/);
    refused({ SYNC_RUN_REQUESTS: "1e12" }, /SYNC_RUN_REQUESTS must be/);
    refused({ SYNC_RUN_REQUESTS_PER_PAGE: "2.5" }, /SYNC_RUN_REQUESTS_PER_PAGE must be a whole number/);
    refused(
      { SYNC_RUN_SECONDS: "forever" },
      /SYNC_RUN_SECONDS must be a number from 1 to 31536000; got "forever"/,
    );
    refused({ SYNC_RUN_SECONDS_PER_PAGE: "-1" }, /SYNC_RUN_SECONDS_PER_PAGE must be a number from 0 to 3600/);
  });
});

describe("REDIS_URL's database", () => {
  const base = new URL(inject("redisUrl"));
  it("is selected as given, and one Redis does not have is a configuration error", async () => {
    const three = new URL(base);
    three.pathname = "/3";
    const redis = await connectRedis(three.toString());
    try {
      expect(await redis.client("INFO")).toMatch(/ db=3 /);
    } finally {
      redis.disconnect();
    }
    const ninetyNine = new URL(base);
    ninetyNine.pathname = "/99";
    const error = await connectRedis(ninetyNine.toString()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/REDIS_URL selects database 99/);
  });
});

describe("the job processor", () => {
  it("refuses a job whose mode or trigger is not one it knows, before running anything", async () => {
    const processor = createSyncProcessor({
      syncDeps: () => {
        throw new Error("must not run");
      },
      logger: createLogger("silent"),
      accountOf: () => ({ name: "default", key: "default" }),
      holds: { hold: () => Promise.resolve(), remainingMs: () => Promise.resolve(0) },
      claims: { isClaimed: () => Promise.resolve(true) },
    });
    const job = { id: "1", data: { projectId: "p1", mode: "delete-everything", trigger: "manual" } };
    const error = await processor(job as never).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/not a sync job .* mode delete-everything/);
    expect((error as Error).name).toBe("UnrecoverableError");
  });
});

import { randomBytes } from "node:crypto";

import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";

import { createRedisRateLimiter } from "../../src/metastudio/rate-limiter.js";
import { AccountHolds } from "../../src/queue/account-holds.js";
import { SYNC_QUEUE_NAME } from "../../src/queue/sync-queue.js";

const redis = new Redis(inject("redisUrl"));
afterAll(async () => {
  await redis.quit();
});

/** Another deployment on the same prefix, with a far higher cap, held everything for an hour. */
const HOUR_MS = 3_600_000;

describe("a hold longer than this deployment's cap", () => {
  it("is waited out by the queue for the cap at most, and cut to it for every worker", async () => {
    const prefix = `msync-test-hold-${randomBytes(4).toString("hex")}`;
    const key = `${prefix}:${SYNC_QUEUE_NAME}:account-hold:acct`;
    await redis.set(key, "1", "PX", HOUR_MS);
    const holds = new AccountHolds(redis, prefix, 2000);
    expect(await holds.remainingMs("acct")).toBe(2000);
    expect(await redis.pttl(key)).toBeLessThanOrEqual(2000);
    await redis.del(key);
  });

  it("is waited out by the shared rate limiter for the cap at most, and cut to it", async () => {
    const prefix = `msync-test-pen-${randomBytes(4).toString("hex")}`;
    const far = createRedisRateLimiter(redis, 100, prefix, HOUR_MS);
    await far.penalize!(HOUR_MS);
    const ours = createRedisRateLimiter(redis, 100, prefix, 1000);
    const abort = AbortSignal.timeout(20_000);
    // Without the cap this waits the hour and the signal fires first.
    await expect(ours.acquire(abort)).resolves.toBeUndefined();
    expect(await redis.pttl(`${prefix}:hold:penalty`)).toBeLessThanOrEqual(1000);
  });
});

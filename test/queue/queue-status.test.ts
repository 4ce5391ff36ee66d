import { Writable } from "node:stream";

import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { createLogger } from "../../src/logger.js";
import { checkRedis } from "../../src/queue/check-redis.js";
import { enqueueSync } from "../../src/queue/enqueue-sync.js";
import { fetchQueueStatus, loadQueueStatus } from "../../src/queue/queue-status.js";
import { scheduleProjects } from "../../src/queue/schedule-projects.js";
import { createSyncQueue } from "../../src/queue/sync-queue.js";
import { randomPrefix } from "../support/test-database.js";

let redis: Redis;
beforeAll(() => {
  redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
});
afterAll(async () => {
  await redis.quit();
});

describe("queue status", () => {
  it("reports the queue's counts, each project's jobs and its next scheduled runs", async () => {
    const prefix = randomPrefix();
    const queue = createSyncQueue({ connection: redis, prefix });
    await scheduleProjects(queue, { projectIds: ["a", "b"], incrementalEvery: "1h", fullEvery: "0 3 * * *" });
    await enqueueSync(queue, { projectId: "a", mode: "full", trigger: "manual" });

    const status = await loadQueueStatus(queue, ["a", "b", "unscheduled"]);
    // Interval schedules run once at once; the cron one waits for 03:00 UTC.
    expect(status.counts).toEqual({ waiting: 3, active: 0, delayed: 2, failed: 0 });
    const [a, b, none] = status.projects;
    expect(a?.counts).toEqual({ active: 0, waiting: 2, delayed: 0 });
    expect(b?.counts).toEqual({ active: 0, waiting: 1, delayed: 0 });
    expect(a?.nextFullAt?.getUTCHours()).toBe(3);
    expect(a?.nextIncrementalAt).toBeInstanceOf(Date);
    expect(none).toEqual({
      projectId: "unscheduled",
      nextIncrementalAt: null,
      nextFullAt: null,
      counts: { active: 0, waiting: 0, delayed: 0 },
    });

    expect(await fetchQueueStatus(inject("redisUrl"), prefix, ["a"])).toMatchObject({
      counts: { waiting: 3 },
    });
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it("reports an unreachable Redis instead of throwing", async () => {
    const status = await fetchQueueStatus("redis://127.0.0.1:1", "bull", ["a"]);
    expect(status).toEqual({ error: expect.stringContaining("ECONNREFUSED") });
  });

  it("warns at worker start when Redis may evict BullMQ's keys", async () => {
    const lines: string[] = [];
    const logger = createLogger(
      "info",
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const evicting = {
      ping: () => Promise.resolve("PONG"),
      call: () => Promise.resolve(["maxmemory-policy", "allkeys-lru"]),
    } as unknown as Redis;
    await checkRedis(evicting, logger);
    await checkRedis(redis, logger);
    logger.flush();
    const warnings = lines.filter((line) => line.includes("noeviction") && line.includes('"level":40'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("allkeys-lru");

    const silent = { ping: () => new Promise(() => {}) } as unknown as Redis;
    await expect(checkRedis(silent, logger, 50)).rejects.toThrow(/REDIS_URL does not answer/);
  });
});

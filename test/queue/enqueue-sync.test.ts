import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { enqueueSync } from "../../src/queue/enqueue-sync.js";
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

describe("enqueueSync without a worker", () => {
  it("adds one job for concurrent requests of the same project and mode, and no other", async () => {
    const queue = createSyncQueue({ connection: redis, prefix: randomPrefix() });
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        enqueueSync(queue, { projectId: "p", mode: "full", trigger: "manual" }),
      ),
    );
    expect(results.filter((r) => !r.deduplicated)).toHaveLength(1);
    expect(new Set(results.map((r) => r.jobId)).size).toBe(1);
    // Another mode, another project: their own jobs.
    const incremental = await enqueueSync(queue, { projectId: "p", mode: "incremental", trigger: "manual" });
    const other = await enqueueSync(queue, { projectId: "p-2", mode: "full", trigger: "manual" });
    expect([incremental.deduplicated, other.deduplicated]).toEqual([false, false]);
    expect(await queue.getJobCounts("wait")).toEqual({ wait: 3 });
    const job = await queue.getJob(results[0]!.jobId);
    expect(job?.data).toEqual({ projectId: "p", mode: "full", trigger: "manual" });
    expect(job?.opts.attempts).toBe(5);
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it("counts a scheduled job that is due, not a schedule's next iteration hours away", async () => {
    const queue = createSyncQueue({ connection: redis, prefix: randomPrefix() });
    // The interval schedule's first run is due now; the cron one waits for 03:00 UTC.
    await scheduleProjects(queue, { projectIds: ["p"], incrementalEvery: "1h", fullEvery: "0 3 * * *" });
    const incremental = await enqueueSync(queue, { projectId: "p", mode: "incremental", trigger: "manual" });
    expect(incremental).toMatchObject({
      deduplicated: true,
      jobId: expect.stringMatching(/^repeat:sync-incremental-p:/),
    });
    const full = await enqueueSync(queue, { projectId: "p", mode: "full", trigger: "manual" });
    expect(full).toMatchObject({ deduplicated: false, jobId: expect.stringMatching(/^manual-full-p-/) });
    // A project whose ID extends another's is not confused with it.
    const longer = await enqueueSync(queue, { projectId: "p-x", mode: "incremental", trigger: "manual" });
    expect(longer.deduplicated).toBe(false);
    await queue.obliterate({ force: true });
    await queue.close();
  });
});

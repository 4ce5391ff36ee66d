import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";

import { ConfigError } from "../../src/config/config-error.js";
import { schedulerId, scheduleProjects } from "../../src/queue/schedule-projects.js";
import { createSyncQueue } from "../../src/queue/sync-queue.js";
import { randomPrefix } from "../support/test-database.js";

let redis: Redis;
beforeAll(() => {
  redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
});
afterAll(async () => {
  await redis.quit();
});

function openQueue() {
  return createSyncQueue({ connection: redis, prefix: randomPrefix() });
}

describe("scheduleProjects", () => {
  it("stores an incremental and a full scheduler per project, each running its mode on schedule", async () => {
    const queue = openQueue();
    const result = await scheduleProjects(queue, {
      projectIds: ["a", "b"],
      incrementalEvery: "5m",
      fullEvery: "0 3 * * *",
    });
    expect(result.upserted.sort()).toEqual(
      [
        schedulerId("a", "incremental"),
        schedulerId("a", "full"),
        schedulerId("b", "incremental"),
        schedulerId("b", "full"),
      ].sort(),
    );
    const schedulers = await queue.getJobSchedulers();
    const incremental = schedulers.find((s) => s.key === schedulerId("a", "incremental"))!;
    expect(incremental.every).toBe(300_000);
    expect(incremental.template?.data).toEqual({ projectId: "a", mode: "incremental", trigger: "schedule" });
    const full = schedulers.find((s) => s.key === schedulerId("b", "full"))!;
    expect(full.pattern).toBe("0 3 * * *");
    expect(full.tz).toBe("UTC");
    expect(full.template?.data).toEqual({ projectId: "b", mode: "full", trigger: "schedule" });
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it("is idempotent over restarts and concurrent starts: same schedulers, same next runs, no extra jobs", async () => {
    const queue = openQueue();
    const options = { projectIds: ["a", "b", "c"], incrementalEvery: "1h", fullEvery: "1d" };
    await scheduleProjects(queue, options);
    const before = await queue.getJobSchedulers();
    const jobsBefore = await queue.getJobCountByTypes("delayed", "wait", "prioritized");

    // A restart, then three workers starting at once.
    await scheduleProjects(queue, options);
    await Promise.all([1, 2, 3].map(() => scheduleProjects(queue, options)));

    const after = await queue.getJobSchedulers();
    expect(after).toHaveLength(6);
    const next = (list: typeof before) => Object.fromEntries(list.map((s) => [s.key, s.next]));
    expect(next(after)).toEqual(next(before));
    expect(await queue.getJobCountByTypes("delayed", "wait", "prioritized")).toBe(jobsBefore);
    expect(jobsBefore).toBe(6);
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it("removes the schedulers and pending scheduled jobs of a retired project, and only those", async () => {
    const queue = openQueue();
    await queue.upsertJobScheduler("someone-elses", { every: 60_000 }, { name: "x", data: {} as never });
    // Another deployment on the same Redis and prefix schedules project z.
    await scheduleProjects(queue, { projectIds: ["z"], incrementalEvery: "1h", fullEvery: "1d" });
    await scheduleProjects(queue, {
      projectIds: ["a", "b"],
      accountOf: () => "acc",
      incrementalEvery: "1h",
      fullEvery: "1d",
    });
    const result = await scheduleProjects(queue, {
      projectIds: ["a"],
      accountOf: () => "acc",
      retired: ["b"],
      incrementalEvery: "1h",
      fullEvery: "1d",
    });
    expect(result.removed.sort()).toEqual([schedulerId("b", "full"), schedulerId("b", "incremental")].sort());
    const schedulers = await queue.getJobSchedulers();
    const keys = schedulers.map((s) => s.key).sort();
    expect(keys).toEqual(
      [
        schedulerId("a", "full"),
        schedulerId("a", "incremental"),
        schedulerId("z", "full"),
        schedulerId("z", "incremental"),
        "someone-elses",
      ].sort(),
    );
    expect(schedulers.find((s) => s.key === schedulerId("a", "full"))?.template?.data).toMatchObject({
      account: "acc",
    });
    const pending = await queue.getJobs(["delayed", "wait", "prioritized"]);
    expect(pending.filter((job) => job.data.projectId === "b")).toEqual([]);
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it("refuses a bad schedule before writing anything, naming the variable", async () => {
    const queue = openQueue();
    await expect(
      scheduleProjects(queue, { projectIds: ["a"], incrementalEvery: "5m", fullEvery: "every day" }),
    ).rejects.toThrow(/SYNC_FULL_EVERY/);
    const outOfRange = scheduleProjects(queue, {
      projectIds: ["a"],
      incrementalEvery: "99 * * * *",
      fullEvery: "1d",
    });
    await expect(outOfRange).rejects.toBeInstanceOf(ConfigError);
    await expect(outOfRange).rejects.toThrow(/SYNC_INCREMENTAL_EVERY/);
    expect(await queue.getJobSchedulers()).toEqual([]);
    await queue.obliterate({ force: true });
    await queue.close();
  });
});

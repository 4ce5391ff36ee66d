import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";

import { ProjectClaims } from "../../src/queue/project-claims.js";
import { SYNC_QUEUE_NAME } from "../../src/queue/sync-queue.js";
import { randomPrefix } from "../support/test-database.js";

const redis = new Redis(inject("redisUrl"));
afterAll(() => redis.quit());

describe("ProjectClaims", () => {
  it("lists the projects no live claim covers, in the order asked, claimed or lapsed alike", async () => {
    const prefix = randomPrefix();
    await new ProjectClaims(redis, prefix).claim(["alpha", "gamma"]);
    // A claim whose time has passed: the deployment that made it stopped long ago.
    await new ProjectClaims(redis, prefix, -1).claim(["delta"]);
    const claims = new ProjectClaims(redis, prefix);
    expect(await claims.unclaimed(["delta", "alpha", "beta", "gamma"])).toEqual(["delta", "beta"]);
    expect(await claims.unclaimed([])).toEqual([]);
    // The same verdict as asking project by project.
    for (const id of ["alpha", "beta", "gamma", "delta"]) {
      expect(await claims.isClaimed(id)).toBe(!(await claims.unclaimed([id])).includes(id));
    }
    await redis.del(`${prefix}:${SYNC_QUEUE_NAME}:project-claims`);
  });
});

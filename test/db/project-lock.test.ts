import { describe, expect, it } from "vitest";

import { isProjectLocked, tryLockProject } from "../../src/db/project-lock.js";
import { useTestDatabase } from "../support/use-test-database.js";

const database = useTestDatabase();

describe("isProjectLocked", () => {
  // pg_locks shows a bigint key as two unsigned halves; half the keys are negative bigints, so
  // enough projects are tried for both signs to come up.
  it("sees exactly the project whose lock a run holds, without taking it", async () => {
    const projects = Array.from({ length: 16 }, (_, i) => `p-lock-${i}`);
    for (const projectId of projects) {
      expect([projectId, await isProjectLocked(database, projectId)]).toEqual([projectId, false]);
      const lock = await tryLockProject(database, projectId);
      expect(lock).not.toBeNull();
      try {
        expect([projectId, await isProjectLocked(database, projectId)]).toEqual([projectId, true]);
        const others = await Promise.all(
          projects.filter((other) => other !== projectId).map((other) => isProjectLocked(database, other)),
        );
        expect(others.every((locked) => !locked)).toBe(true);
        // Looking did not take it: another run still cannot.
        expect(await tryLockProject(database, projectId)).toBeNull();
      } finally {
        await lock!.release();
      }
      expect(await isProjectLocked(database, projectId)).toBe(false);
      // Nor did it keep the lock from the next run.
      const next = await tryLockProject(database, projectId);
      expect(next).not.toBeNull();
      await next!.release();
    }
  });
});

import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { LockLostError } from "../../src/sync/sync-errors.js";
import { expectExactMirror, startHarness, type Harness } from "../support/sync-harness.js";
import { useTestDatabase } from "../support/use-test-database.js";

const database = useTestDatabase();
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness(database, {
    projectIds: ["p-lock"],
    roomsPerProject: 1500,
    behaviour: { latencyMs: 40 },
  });
});
afterAll(async () => {
  await harness?.close();
});

/** Closes the connection holding a project lock, as a Postgres restart does. */
async function killLockConnection(): Promise<number> {
  const admin = new pg.Client({ connectionString: inject("databaseUrl") });
  await admin.connect();
  try {
    const result = await admin.query<{ n: number }>(
      `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
        where datname = $1 and pid <> pg_backend_pid() and query like '%pg_try_advisory_lock%'`,
      [new URL(database.url).pathname.slice(1)],
    );
    return result.rows[0]!.n;
  } finally {
    await admin.end();
  }
}

describe("a run that loses its project lock", () => {
  // npm run drill (lock-loss): the run outlived its lock connection, a second full run took the
  // lock and adopted the first one's seen rooms, and the first then marked 500 live rooms deleted.
  it("stops before judging deletions, and the run that took over leaves an exact mirror", async () => {
    const first = harness.run("p-lock");
    first.catch(() => {});
    for (let i = 0; i < 200 && harness.sim.requests.length < 4; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await killLockConnection()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await harness.run("p-lock");
    expect(second.status).toBe("succeeded");
    await expect(first).rejects.toBeInstanceOf(LockLostError);
    await expectExactMirror(database, harness.sim, "p-lock");
  });
});

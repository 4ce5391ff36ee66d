import pg from "pg";
import { describe, expect, inject, it } from "vitest";

import { tryLockProject } from "../../src/db/project-lock.js";
import { useTestDatabase } from "../support/use-test-database.js";

const database = useTestDatabase();

describe("openDatabase (Postgres)", () => {
  // A run holds its project lock on a checked-out connection; when Postgres restarts, that
  // connection dies while no query is on it. node-postgres then emits 'error' on the client, and
  // a checked-out client has no listener: without one of ours, the whole process crashed.
  it("survives the server closing a connection a run has checked out", async () => {
    const lock = await tryLockProject(database, "p-killed");
    expect(lock?.held).toBe(true);
    const admin = new pg.Client({ connectionString: inject("databaseUrl") });
    await admin.connect();
    try {
      const killed = await admin.query<{ n: number }>(
        `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
          where datname = $1 and pid <> pg_backend_pid()`,
        [new URL(database.url).pathname.slice(1)],
      );
      expect(killed.rows[0]!.n).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(lock!.held).toBe(false);
    await expect(lock!.release()).resolves.toBeUndefined();
    // The lock went with the connection, and the pool hands out fresh ones.
    const again = await tryLockProject(database, "p-killed");
    expect(again).not.toBeNull();
    await again!.release();
  });
});

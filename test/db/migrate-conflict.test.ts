import { execFile } from "node:child_process";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

/** A database that is not the mirror's: another application already has a table of our name. */
let foreign: TestDatabase;
beforeAll(async () => {
  foreign = await createTestDatabase({ migrate: false });
  await foreign.pool.query("create table sync_runs (id int primary key)");
});
afterAll(() => foreign?.drop());

function migrate(databaseUrl: string): Promise<{ code: number | null; stderr: string }> {
  const env = { PATH: process.env.PATH ?? "", LOG_LEVEL: "silent", DATABASE_URL: databaseUrl };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "migrate"],
      { env },
      (error, _out, stderr) => resolve({ code: (error as { code?: number } | null)?.code ?? 0, stderr }),
    );
  });
}

describe("migrate into a database that already holds a table of the mirror's", () => {
  it("says which object is in the way and why, without a page of DDL", async () => {
    const { code, stderr } = await migrate(foreign.url);
    expect(code).toBe(1);
    expect(stderr).toMatch(/Could not apply database migrations to .*: relation "sync_runs" already exists/);
    expect(stderr).toContain("give metastudio-sync a database of its own");
    expect(stderr).not.toMatch(/CREATE TABLE/i);
    // Nothing of the other application's was changed.
    const { rows } = await foreign.pool.query("select count(*)::int as n from sync_runs");
    expect(rows).toEqual([{ n: 0 }]);
  });
});

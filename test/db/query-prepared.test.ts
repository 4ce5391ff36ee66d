import { randomUUID } from "node:crypto";

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { type PostgresDatabase } from "../../src/db/database.js";
import { openDatabase } from "../../src/db/open-database.js";
import { loadStoredRooms } from "../../src/db/apply-room-batch.js";
import { roomKeysPayload } from "../../src/sync/room-batch-payload.js";
import { queryPrepared } from "../../src/db/query-rows.js";
import { useTestDatabase } from "../support/use-test-database.js";

const database = useTestDatabase();
/** One connection, so what it has prepared can be read back from it. */
let single: PostgresDatabase;
beforeAll(async () => {
  single = (await openDatabase({
    databaseUrl: database.url,
    embeddedDataDir: "",
    poolSize: 1,
  })) as PostgresDatabase;
});
afterAll(async () => {
  await single?.close();
});

const prepared = async () =>
  (
    await single.pool.query<{ name: string }>("select name from pg_prepared_statements order by name")
  ).rows.map((row) => row.name);

describe("queryPrepared", () => {
  it("prepares a statement once per connection and answers each call with its own parameters", async () => {
    const twice = (n: number) =>
      queryPrepared<{ n: number }>(single.db, "msync_test_twice", sql`select ${n}::int * 2 as n`);
    expect(await twice(2)).toEqual([{ n: 4 }]);
    expect(await twice(5)).toEqual([{ n: 10 }]);
    expect(await prepared()).toEqual(["msync_test_twice"]);
  });

  it("is how a batch's read reaches Postgres: planned once, not on every batch", async () => {
    const keys = roomKeysPayload([{ id: randomUUID(), hash: "h" }]);
    expect(await loadStoredRooms(single.db, "p-prepared", keys)).toEqual([]);
    expect(await loadStoredRooms(single.db, "p-prepared", keys)).toEqual([]);
    expect(await prepared()).toContain("msync_load_stored_rooms");
  });
});

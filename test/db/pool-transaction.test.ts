import { sql } from "drizzle-orm";
import type pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";

import { poolTransaction } from "../../src/db/pool-transaction.js";
import { queryCount } from "../../src/db/query-rows.js";
import * as schema from "../../src/db/schema.js";
import { useTestDatabase } from "../support/use-test-database.js";

/** A pool whose one client loses its connection before `BEGIN`, as after a Postgres restart. */
function deadConnectionPool() {
  const released: unknown[] = [];
  const client = {
    query: () => Promise.reject(new Error("Connection terminated unexpectedly")),
    release: (error?: unknown) => {
      released.push(error);
    },
  };
  const pool = { connect: () => Promise.resolve(client) } as unknown as pg.Pool;
  return { pool, released };
}

const database = useTestDatabase();
beforeAll(async () => {
  await database.db.execute(sql`create table pool_tx_probe (n int)`);
});

describe("poolTransaction", () => {
  // drizzle-orm 0.45 leaves the client checked out when BEGIN fails: one pool slot lost per
  // Postgres restart, until the process waits forever for a connection (found by npm run drill).
  it("releases, and destroys, a client whose BEGIN fails", async () => {
    const { pool, released } = deadConnectionPool();
    let ran = false;
    await expect(
      poolTransaction(
        pool,
        schema,
      )(() => {
        ran = true;
        return Promise.resolve();
      }),
    ).rejects.toThrow(/begin/);
    expect(ran).toBe(false);
    expect(released).toHaveLength(1);
    expect(released[0]).toBeInstanceOf(Error);
  });

  it("commits, rolls back on error, and leaves no client checked out", async () => {
    const { db, pool } = database;
    await db.transaction(async (tx) => {
      await tx.execute(sql`insert into pool_tx_probe values (1)`);
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.execute(sql`insert into pool_tx_probe values (2)`);
        throw new Error("abandon");
      }),
    ).rejects.toThrow("abandon");
    expect(await queryCount(db, sql`select count(*)::int as n from pool_tx_probe`)).toBe(1);
    const nested = await db.transaction(async (tx) =>
      tx.transaction(async (inner) => queryCount(inner, sql`select count(*)::int as n from pool_tx_probe`)),
    );
    expect(nested).toBe(1);
    expect(pool.totalCount - pool.idleCount).toBe(0);
  });
});

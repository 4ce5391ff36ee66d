import { randomUUID } from "node:crypto";

import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";

import type { Db } from "../../src/db/database.js";
import { countUnseenLive, markUnseenDeleted } from "../../src/db/mark-deleted.js";
import { queryCount, queryRows } from "../../src/db/query-rows.js";
import { countSeenRooms, refreshLastSeen } from "../../src/db/seen-rooms.js";
import { withHashJoins } from "../../src/db/with-hash-joins.js";
import { useTestDatabase } from "../support/use-test-database.js";

const database = useTestDatabase();
const ROOMS = 4000;
const PER_BATCH = 100;
const run = randomUUID();
beforeAll(async () => {
  await database.pool.query(
    `insert into smart_chat_rooms (project_id, room_id, raw, content_hash, first_seen_at, last_seen_at, last_changed_at)
     select 'p-plan', 'room-' || i, '{}'::jsonb, 'h', now(), now(), now() from generate_series(1, $1::int) i`,
    [ROOMS],
  );
  const seen = (runId: string) =>
    database.pool.query(
      `insert into sync_seen_batches (run_id, room_ids, request_ids)
       select $1, array_agg('room-' || i), array_agg('req'::text) from generate_series(1, $2::int) i
        group by i / $3::int`,
      [runId, ROOMS, PER_BATCH],
    );
  // Statistics taken during an earlier run, as autovacuum would: the run being judged wrote its
  // batch rows after them, so Postgres expects about one row for it.
  const earlier = randomUUID();
  await seen(earlier);
  await database.pool.query("analyze smart_chat_rooms; analyze sync_seen_batches");
  await database.pool.query("delete from sync_seen_batches where run_id = $1", [earlier]);
  await seen(run);
});

/**
 * Reads of the rooms `work` makes: full scans, or with `byIndex` lookups by index too. The
 * transaction's statistics may also hold a pooled connection's earlier transactions not yet
 * flushed, hence the difference.
 */
async function roomReads(work: (tx: Db) => Promise<unknown>, byIndex = true): Promise<number> {
  const reads = (tx: Db) =>
    queryCount(
      tx,
      sql`select coalesce(sum(coalesce(seq_scan, 0) + ${byIndex ? sql`coalesce(idx_scan, 0)` : sql`0`}), 0)::int as n
            from pg_stat_xact_user_tables where relname = 'smart_chat_rooms'`,
    );
  return database.db.transaction(async (tx) => {
    const before = await reads(tx);
    await work(tx);
    return (await reads(tx)) - before;
  });
}

/** Full scans of the rooms `work` makes. */
const roomScans = (work: (tx: Db) => Promise<unknown>) => roomReads(work, false);

describe("the end of a run that saw no room (a quiet incremental run)", () => {
  // Each was a scan of every room of the project, whatever the run saw: ~100 ms of Postgres at
  // the end of every quiet run of a 100k-room project, a second at a million.
  it("refreshes last_seen_at without reading the rooms", async () => {
    const quiet = randomUUID();
    const reads = await roomReads((tx) =>
      refreshLastSeen(tx, { projectId: "p-plan", runId: quiet, now: new Date(), resolutionSeconds: 0 }),
    );
    expect(reads).toBe(0);
  });

  it("counts the rooms it saw without reading the rooms", async () => {
    expect(await roomReads((tx) => countSeenRooms(tx, randomUUID()))).toBe(0);
    expect(await roomReads((tx) => countSeenRooms(tx, run))).toBe(0);
  });
});

describe("statements reading the seen rooms (one row per batch)", () => {
  // Each batch joined to the rooms on its own was a full scan of the rooms per batch: a quiet
  // 100k run spent a minute refreshing last_seen_at.
  it("scan the rooms a bounded number of times, not once per batch", async () => {
    const batches = ROOMS / PER_BATCH;
    const refresh = await roomScans((tx) =>
      refreshLastSeen(tx, { projectId: "p-plan", runId: run, now: new Date(), resolutionSeconds: 86_400 }),
    );
    expect(refresh).toBeLessThan(batches / 4);
    expect(await roomScans((tx) => countUnseenLive(tx, "p-plan", run))).toBeLessThan(batches / 4);
    const marked = await roomScans(async (tx) => {
      expect(await markUnseenDeleted(tx, { projectId: "p-plan", runId: run, now: new Date() })).toBe(0);
    });
    expect(marked).toBeLessThan(batches / 4);
  });

  // Before Postgres 18, disabling nested loops adds 10^10 to the cost of a plan that keeps one
  // (the unnesting of each batch), far past jit_above_cost: each statement was compiled to
  // machine code first (~150 ms), three times at the end of every full run.
  it("are planned without JIT compilation, whatever their penalised cost", async () => {
    const plan = await withHashJoins(database.db, (tx) =>
      queryRows(
        tx,
        sql`explain (analyze, format json)
        select count(*) from smart_chat_rooms r join sync_seen_rooms s on s.room_id = r.room_id
         where s.run_id = ${run}`,
      ),
    );
    const text = JSON.stringify(plan);
    expect(text).toContain("Total Cost");
    expect(text).not.toContain('"JIT"');
  });
});

import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import type { Db } from "../../src/db/database.js";
import { queryCount } from "../../src/db/query-rows.js";
import { countSeenInNewProject, countSeenRooms, insertSeenIds } from "../../src/db/seen-rooms.js";
import type { SmartChatRoom } from "../../src/metastudio/room-schema.js";
import { applyRoomBatch, prepareRoom } from "../../src/sync/apply-room-batch.js";
import { insertTestRun } from "../support/insert-test-run.js";
import { useTestDatabase } from "../support/use-test-database.js";

const database = useTestDatabase();

const room = (id: string): SmartChatRoom => ({
  room_id: id,
  room_name: `room ${id}`,
  update_time: "2025-01-01T00:00:00Z",
});

function write(projectId: string, runId: string, ids: string[]) {
  return applyRoomBatch(database.db, {
    projectId,
    runId,
    observedAt: new Date(),
    rooms: ids.map((id) => prepareRoom(room(id), "req")),
  });
}

/** Reads of the change log `work` makes, in a transaction of its own (see seen-rooms-plans). */
async function changeReads(work: (tx: Db) => Promise<unknown>): Promise<number> {
  const reads = (tx: Db) =>
    queryCount(
      tx,
      sql`select coalesce(sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)), 0)::int as n
            from pg_stat_xact_user_tables where relname = 'smart_chat_room_changes'`,
    );
  return database.db.transaction(async (tx) => {
    const before = await reads(tx);
    await work(tx);
    return (await reads(tx)) - before;
  });
}

describe("the rooms a run on a project the mirror held none of saw", () => {
  it("are counted as the run's own count would, without reading the change log", async () => {
    const projectId = "p-new";
    const run = await insertTestRun(database.db, { projectId });
    expect((await write(projectId, run, ["r1", "r2", "r3", "r4", "r5"])).inserted).toBe(5);
    // r1 again, unchanged: a seen row for a room the run wrote.
    expect((await write(projectId, run, ["r1"])).unchanged).toBe(1);
    // Items that cannot be mirrored: r3's ID (a room it wrote), and an ID with no room, twice.
    await insertSeenIds(database.db, run, ["r3", "refused-1"]);
    await insertSeenIds(database.db, run, ["refused-1"]);
    // Another project's rooms are none of this count.
    await write("p-other", await insertTestRun(database.db, { projectId: "p-other" }), ["r1", "x"]);

    expect(await countSeenRooms(database.db, run)).toBe(6);
    expect(await countSeenInNewProject(database.db, { projectId, runId: run, inserted: 5 })).toBe(6);
    // The run's own count reads the change log (every row a first full sync wrote), this one not.
    expect(await changeReads((tx) => countSeenRooms(tx, run))).toBeGreaterThan(0);
    expect(await changeReads((tx) => countSeenInNewProject(tx, { projectId, runId: run, inserted: 5 }))).toBe(
      0,
    );
  });
});

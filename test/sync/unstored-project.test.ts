import { randomUUID } from "node:crypto";

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { type PostgresDatabase } from "../../src/db/database.js";
import { openDatabase } from "../../src/db/open-database.js";
import { projectHoldsRooms } from "../../src/db/project-holds-rooms.js";
import { queryRows } from "../../src/db/query-rows.js";
import { PostgresRoomBatches } from "../../src/sync/postgres-room-batches.js";
import { RoomWriter } from "../../src/sync/room-writer.js";
import { insertTestRun } from "../support/insert-test-run.js";
import { useTestDatabase } from "../support/use-test-database.js";

const database = useTestDatabase();
/** One connection, so the statements it has prepared show which ones the writer sent. */
let single: PostgresDatabase;
beforeAll(async () => {
  single = (await openDatabase({
    databaseUrl: database.url,
    embeddedDataDir: "",
    poolSize: 1,
  })) as PostgresDatabase;
});
afterAll(async () => {
  await single.close();
});

const prepared = async () =>
  (await queryRows<{ name: string }>(single.db, sql`select name from pg_prepared_statements`)).map(
    (r) => r.name,
  );

const rooms = (ids: string[], name = "first") =>
  ids.map((id) => ({
    room: {
      room_id: id,
      room_name: `${name} ${id}`,
      update_time: `2025-01-01T00:00:0${name === "first" ? 1 : 2}Z`,
    },
    requestId: `req-${name}`,
  }));

describe("a run on a project the mirror holds no room of", () => {
  it("decides batches of rooms it has not written without reading them, and reads a room it has", async () => {
    const projectId = `p-${randomUUID().slice(0, 8)}`;
    expect(await projectHoldsRooms(single.db, projectId)).toBe(false);
    const runId = await insertTestRun(single.db, { projectId });
    const writer = new RoomWriter({
      batches: new PostgresRoomBatches(single.db),
      projectId,
      runId,
      batchSize: 10,
      writeLanes: 1,
      unstoredAtStart: true,
    });
    await writer.add(rooms(Array.from({ length: 30 }, (_, i) => `r${i}`)));
    await writer.flush();
    const names = await prepared();
    expect(names).toContain("msync_store_room_batch");
    expect(names).not.toContain("msync_load_stored_rooms");
    expect(writer.totals.inserted).toBe(30);

    // r5 again, edited: the filter holds it, so its batch reads it and records an update.
    await writer.add(rooms(["r5", "new-1"], "second"));
    await writer.flush();
    expect(await prepared()).toContain("msync_load_stored_rooms");
    const changes = await queryRows<{ room_id: string; change: string }>(
      single.db,
      sql`select room_id, change from smart_chat_room_changes where project_id = ${projectId} and room_id in ('r5', 'new-1') order by id`,
    );
    expect(changes).toEqual([
      { room_id: "r5", change: "created" },
      { room_id: "r5", change: "updated" },
      { room_id: "new-1", change: "created" },
    ]);
    expect(await projectHoldsRooms(single.db, projectId)).toBe(true);
  });
});

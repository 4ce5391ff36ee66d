import { randomUUID } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { insertRun } from "../../src/db/sync-runs.js";
import { RoomWriter } from "../../src/sync/room-writer.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe("RoomWriter", () => {
  it("splits one huge page into batches, each its own transaction", async () => {
    const projectId = `p-${randomUUID().slice(0, 8)}`;
    const runId = await insertRun(database.db, {
      projectId,
      mode: "full",
      trigger: "cli",
      startedAt: new Date(),
      windowStart: null,
      windowEnd: null,
      resumedFrom: null,
    });
    const writer = new RoomWriter({ db: database.db, projectId, runId, dryRun: false, batchSize: 1000 });
    const rooms = Array.from({ length: 20_000 }, (_, i) => ({
      room: { room_id: `bulk-${i}`, room_name: `room ${i}` },
      requestId: "one-page",
    }));
    // One page of 20,000 items, as a hostile upstream can send.
    await writer.add(rooms);
    await writer.flush();
    const { rows } = await database.pool.query<{ transactions: number; rooms: number }>(
      "select count(distinct xmin::text)::int as transactions, count(*)::int as rooms from smart_chat_rooms where project_id = $1",
      [projectId],
    );
    expect(rows[0]).toEqual({ transactions: 20, rooms: 20_000 });
  });
});

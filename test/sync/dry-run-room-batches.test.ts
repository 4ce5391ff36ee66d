import { randomUUID } from "node:crypto";

import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { batchOf, prepareRoom, type BatchInput } from "../../src/sync/apply-room-batch.js";
import { smartChatRoomChanges, smartChatRooms } from "../../src/db/schema.js";
import type { SmartChatRoom } from "../../src/metastudio/room-schema.js";
import { DryRunRoomBatches } from "../../src/sync/dry-run-room-batches.js";
import { PostgresRoomBatches } from "../../src/sync/postgres-room-batches.js";
import type { RoomBatches } from "../../src/sync/room-batches.js";
import { useTestDatabase } from "../support/use-test-database.js";

const database = useTestDatabase();

const room = (id: string, name = `room ${id}`): SmartChatRoom => ({
  room_id: id,
  room_name: name,
  update_time: "2025-01-01T00:00:00Z",
});

const input = (projectId: string): BatchInput => ({
  projectId,
  runId: randomUUID(),
  observedAt: new Date(),
  discovering: false,
});

const roomsOf = (projectId: string) =>
  database.db.select().from(smartChatRooms).where(eq(smartChatRooms.projectId, projectId));

describe("a dry run's batches", () => {
  it("decide against what the mirror holds and write nothing, whatever they are asked", async () => {
    const projectId = `p-${randomUUID().slice(0, 8)}`;
    await new PostgresRoomBatches(database.db).store(
      await new PostgresRoomBatches(database.db).prepare(
        input(projectId),
        batchOf([prepareRoom(room("a"))]),
        false,
      ),
    );
    const dry: RoomBatches = new DryRunRoomBatches(database.db);
    const prepared = await dry.prepare(
      input(projectId),
      batchOf([prepareRoom(room("a", "renamed")), prepareRoom(room("b"))]),
      false,
    );
    expect(prepared.decided.result).toMatchObject({ inserted: 1, updated: 1, unchanged: 0 });
    expect(prepared.payload).toHaveLength(0);
    await dry.store(prepared);
    const one = await dry.applyOne(input(projectId), prepareRoom(room("c")));
    expect(one.inserted).toBe(1);
    await dry.markSeen(randomUUID(), ["a", "b", "c"]);
    await dry.analyze();
    const rows = await roomsOf(projectId);
    expect(rows.map((row) => [row.roomId, row.roomName])).toEqual([["a", "room a"]]);
    const changes = await database.db
      .select()
      .from(smartChatRoomChanges)
      .where(eq(smartChatRoomChanges.projectId, projectId));
    expect(changes).toHaveLength(1);
  });

  it("admit each room once, at its first sighting, where a real run's admit every sighting", () => {
    const sightings = [
      { room: room("a"), requestId: "1" },
      { room: room("b"), requestId: "1" },
    ];
    const dry = new DryRunRoomBatches(database.db);
    expect(dry.admit(sightings).map(({ room }) => room.room_id)).toEqual(["a", "b"]);
    const again = [
      { room: room("b", "edited"), requestId: "2" },
      { room: room("c"), requestId: "2" },
    ];
    expect(dry.admit(again).map(({ room }) => room.room_id)).toEqual(["c"]);
    const real = new PostgresRoomBatches(database.db);
    expect(real.admit(sightings)).toEqual(sightings);
    expect(real.admit(sightings)).toEqual(sightings);
  });
});

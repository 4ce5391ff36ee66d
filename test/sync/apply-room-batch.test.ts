import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";

import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { applyRoomBatch, prepareRoom } from "../../src/sync/apply-room-batch.js";
import { type PostgresDatabase } from "../../src/db/database.js";
import { openDatabase } from "../../src/db/open-database.js";
import { MIGRATIONS_FOLDER, migrate } from "../../src/db/migrate.js";
import { markUnseenDeleted } from "../../src/db/mark-deleted.js";
import { smartChatRoomChanges, smartChatRoomVoiceConfigs, smartChatRooms } from "../../src/db/schema.js";
import type { SmartChatRoom } from "../../src/metastudio/room-schema.js";
import { useTestDatabase } from "../support/use-test-database.js";

const database = useTestDatabase();

const room = (id: string, extra: Partial<SmartChatRoom> = {}): SmartChatRoom => ({
  room_id: id,
  room_name: `room ${id}`,
  update_time: "2025-01-01T00:00:00Z",
  create_time: "2024-12-01T00:00:00Z",
  voice_config_list: [{ voice_asset_id: `${id}-a`, speed: 100 }, { voice_asset_id: `${id}-b` }],
  ...extra,
});

async function apply(projectId: string, rooms: SmartChatRoom[], requestId = "req-1", runId = randomUUID()) {
  return applyRoomBatch(database.db, {
    projectId,
    runId,
    observedAt: new Date(),
    rooms: rooms.map((r) => prepareRoom(r, requestId)),
  });
}

describe("applyRoomBatch", () => {
  it("inserts new rooms with voice configs and a created change", async () => {
    const result = await apply("p-insert", [room("a"), room("b")]);
    expect(result).toMatchObject({
      inserted: 2,
      updated: 0,
      unchanged: 0,
      roomRowsWritten: 2,
      voiceRowsWritten: 4,
    });
    const voices = await database.db
      .select()
      .from(smartChatRoomVoiceConfigs)
      .where(eq(smartChatRoomVoiceConfigs.roomId, "a"))
      .orderBy(asc(smartChatRoomVoiceConfigs.position));
    expect(voices.map((v) => [v.position, v.voiceAssetId, v.speed])).toEqual([
      [0, "a-a", 100],
      [1, "a-b", null],
    ]);
    const [stored] = await database.db.select().from(smartChatRooms).where(eq(smartChatRooms.roomId, "a"));
    expect(stored).toMatchObject({ lastRequestId: "req-1", deletedAt: null, roomName: "room a" });
  });

  // The write sends a time as the upstream wrote it only where Postgres reads the instant node
  // parsed from it; the rest is formatted from node's parse (V8 rolls 2025-02-29 over to March 1,
  // which Postgres would refuse as text).
  it("stores every time as the instant node parsed, whatever form the upstream wrote it in", async () => {
    const times = [
      "2024-02-29T23:59:59Z",
      "2025-02-29T00:00:00Z",
      "2024-04-31T12:00:00Z",
      "2024-01-01T24:00:00Z",
      "2024-06-30T08:00:00.123Z",
      "2024-06-30T08:00:00+08:00",
      "2024-06-30t08:00:00z",
      "1000-01-01T00:00:00Z",
      "9999-12-31T23:59:59Z",
    ];
    const rooms = times.map((time, i) => room(`t${i}`, { update_time: time, create_time: time }));
    expect(await apply("p-times", rooms)).toMatchObject({ inserted: times.length });
    const rows = await database.db
      .select({
        id: smartChatRooms.roomId,
        update: smartChatRooms.updateTime,
        create: smartChatRooms.createTime,
      })
      .from(smartChatRooms)
      .where(eq(smartChatRooms.projectId, "p-times"));
    const byId = new Map(rows.map((row) => [row.id, row]));
    times.forEach((time, i) => {
      const stored = byId.get(`t${i}`);
      expect([time, stored?.update?.getTime(), stored?.create?.getTime()]).toEqual([
        time,
        Date.parse(time),
        Date.parse(time),
      ]);
    });
  });

  it("writes nothing for unchanged rooms", async () => {
    await apply("p-quiet", [room("a")]);
    const [before] = await database.db
      .select()
      .from(smartChatRooms)
      .where(eq(smartChatRooms.projectId, "p-quiet"));
    const result = await apply("p-quiet", [room("a")], "req-2");
    expect(result).toMatchObject({
      inserted: 0,
      updated: 0,
      unchanged: 1,
      roomRowsWritten: 0,
      voiceRowsWritten: 0,
    });
    const [after] = await database.db
      .select()
      .from(smartChatRooms)
      .where(eq(smartChatRooms.projectId, "p-quiet"));
    expect(after).toEqual(before);
  });

  it("rewrites a changed room and its voice configs, naming the changed fields", async () => {
    await apply("p-update", [room("a")]);
    const changed = room("a", {
      room_name: "renamed",
      update_time: "2025-02-01T00:00:00Z",
      voice_config_list: [{ voice_asset_id: "only" }],
    });
    const result = await apply("p-update", [changed], "req-3");
    expect(result).toMatchObject({ updated: 1, voiceRowsWritten: 1 });
    expect(result.changes[0]?.changedFields).toEqual(["room_name", "update_time", "voice_config_list"]);
    const voices = await database.db
      .select()
      .from(smartChatRoomVoiceConfigs)
      .where(and(eq(smartChatRoomVoiceConfigs.projectId, "p-update")));
    expect(voices.map((v) => v.voiceAssetId)).toEqual(["only"]);
    const changes = await database.db
      .select()
      .from(smartChatRoomChanges)
      .where(eq(smartChatRoomChanges.projectId, "p-update"))
      .orderBy(asc(smartChatRoomChanges.id));
    expect(changes.map((c) => [c.change, c.requestId])).toEqual([
      ["created", "req-1"],
      ["updated", "req-3"],
    ]);
  });

  it("does not let an older version overwrite a newer one its own run wrote", async () => {
    const runId = randomUUID();
    await apply(
      "p-stale",
      [room("a", { update_time: "2025-03-01T00:00:00Z", room_name: "new" })],
      "r",
      runId,
    );
    const result = await apply(
      "p-stale",
      [room("a", { update_time: "2025-01-01T00:00:00Z", room_name: "old" })],
      "r",
      runId,
    );
    expect(result).toMatchObject({ updated: 0, unchanged: 1 });
    const [stored] = await database.db
      .select()
      .from(smartChatRooms)
      .where(eq(smartChatRooms.projectId, "p-stale"));
    expect(stored?.roomName).toBe("new");
  });

  it("takes an edit that moved the time back since an earlier run wrote the room", async () => {
    await apply("p-back", [room("a", { update_time: "2099-01-01T00:00:00Z", room_name: "future" })]);
    const result = await apply("p-back", [
      room("a", { update_time: "2025-01-01T00:00:00Z", room_name: "fixed" }),
    ]);
    expect(result).toMatchObject({ updated: 1, unchanged: 0 });
    const [stored] = await database.db
      .select()
      .from(smartChatRooms)
      .where(eq(smartChatRooms.projectId, "p-back"));
    expect(stored).toMatchObject({ roomName: "fixed", updateTime: new Date("2025-01-01T00:00:00Z") });
  });

  it("keeps the newest when one batch carries a room twice", async () => {
    const result = await apply("p-twice", [
      room("a", { update_time: "2025-03-01T00:00:00Z", room_name: "new" }),
      room("a", { update_time: "2025-01-01T00:00:00Z", room_name: "old" }),
    ]);
    expect(result.inserted).toBe(1);
    const [stored] = await database.db
      .select()
      .from(smartChatRooms)
      .where(eq(smartChatRooms.projectId, "p-twice"));
    expect(stored?.roomName).toBe("new");
  });

  it("restores a room that reappears after being marked deleted", async () => {
    await apply("p-restore", [room("a"), room("b")]);
    const runId = randomUUID();
    // Nothing seen under this run ID: both rooms look gone.
    expect(await markUnseenDeleted(database.db, { projectId: "p-restore", runId, now: new Date() })).toBe(2);
    const result = await apply("p-restore", [room("a")]);
    expect(result).toMatchObject({ restored: 1 });
    const rows = await database.db
      .select()
      .from(smartChatRooms)
      .where(eq(smartChatRooms.projectId, "p-restore"))
      .orderBy(asc(smartChatRooms.roomId));
    expect(rows.map((r) => [r.roomId, r.deletedAt === null])).toEqual([
      ["a", true],
      ["b", false],
    ]);
  });
});

describe("migrate", () => {
  it("is safe when several processes start at once", async () => {
    const others = await Promise.all(
      [1, 2, 3].map(() => openDatabase({ databaseUrl: database.url, embeddedDataDir: "" })),
    );
    await Promise.all(others.map((db) => migrate(db as PostgresDatabase)));
    await Promise.all(others.map((db) => db.close()));
    const journal = JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, "utf8")) as {
      entries: unknown[];
    };
    const rows = await database.pool.query("select count(*)::int as n from drizzle.__drizzle_migrations");
    // Each migration recorded exactly once, however many processes raced to apply it.
    expect(rows.rows[0].n).toBe(journal.entries.length);
  });
});

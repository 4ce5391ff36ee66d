import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { smartChatRoomChanges, smartChatRoomVoiceConfigs, smartChatRooms } from "../../src/db/schema.js";
import { compareMirror, describeDifferences } from "../../src/sync/compare-mirror.js";
import { startHarness, type Harness } from "../support/sync-harness.js";
import { type TestDatabase } from "../support/test-database.js";
import { useTestDatabase } from "../support/use-test-database.js";

const PROJECT = "p-compare";
const database = useTestDatabase();
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness(database, { projectIds: [PROJECT], roomsPerProject: 60, seed: 3 });
  await harness.run(PROJECT);
});
afterAll(async () => {
  await harness.close();
});

const room = (i: number) => harness.sim.rooms(PROJECT)[i]!;
const byRoom = (roomId: string) =>
  and(eq(smartChatRooms.projectId, PROJECT), eq(smartChatRooms.roomId, roomId));

/** Corrupts the mirror inside a transaction that is always rolled back, and compares within it. */
async function compareCorrupted(corrupt: (tx: TestDatabase["db"]) => Promise<void>) {
  let found: Awaited<ReturnType<typeof compareMirror>> = [];
  await database.db
    .transaction(async (tx) => {
      const db = tx as unknown as TestDatabase["db"];
      await corrupt(db);
      found = await compareMirror(db, PROJECT, harness.sim.rooms(PROJECT));
      throw new Error("rollback");
    })
    .catch((error: unknown) => {
      if (!(error instanceof Error && error.message === "rollback")) throw error;
    });
  return found;
}

describe("compareMirror", () => {
  it("finds nothing in an exact mirror", async () => {
    const found = await compareMirror(database.db, PROJECT, harness.sim.rooms(PROJECT));
    expect(found).toEqual([]);
    expect(describeDifferences(found)).toBe("exact");
  });

  it("names a changed column, a changed raw item, and a live room marked deleted", async () => {
    const [a, b, c] = [room(0), room(1), room(2)].map((r) => String(r.room_id)) as [string, string, string];
    const found = await compareCorrupted(async (db) => {
      await db.update(smartChatRooms).set({ concurrency: 99_999 }).where(byRoom(a));
      await db
        .update(smartChatRooms)
        .set({ raw: { ...room(1), room_name: "tampered" } })
        .where(byRoom(b));
      await db.update(smartChatRooms).set({ deletedAt: new Date() }).where(byRoom(c));
    });
    expect(found).toEqual([
      { kind: "fields", roomId: a, detail: "concurrency" },
      { kind: "fields", roomId: b, detail: "raw" },
      { kind: "wrongly deleted", roomId: c, detail: expect.stringContaining("marked deleted") as string },
    ]);
  });

  it("notices voice configs missing or out of order", async () => {
    const withVoices = harness.sim
      .rooms(PROJECT)
      .find((r) => ((r.voice_config_list as unknown[] | undefined) ?? []).length >= 2)!;
    const roomId = String(withVoices.room_id);
    const found = await compareCorrupted(async (db) => {
      // Swap positions 0 and 1 through a free slot.
      const voice = and(
        eq(smartChatRoomVoiceConfigs.projectId, PROJECT),
        eq(smartChatRoomVoiceConfigs.roomId, roomId),
      );
      await db
        .update(smartChatRoomVoiceConfigs)
        .set({ position: 99 })
        .where(and(voice, eq(smartChatRoomVoiceConfigs.position, 0)));
      await db
        .update(smartChatRoomVoiceConfigs)
        .set({ position: 0 })
        .where(and(voice, eq(smartChatRoomVoiceConfigs.position, 1)));
      await db
        .update(smartChatRoomVoiceConfigs)
        .set({ position: 1 })
        .where(and(voice, eq(smartChatRoomVoiceConfigs.position, 99)));
    });
    expect(found.map((d) => [d.kind, d.roomId])).toEqual([["voices", roomId]]);
  });

  it("finds rooms missing, rooms gone upstream yet live, and rooms created twice", async () => {
    const gone = harness.sim.createRoom(PROJECT, { room_name: "only upstream" });
    try {
      const live = String(room(5).room_id);
      const found = await compareCorrupted(async (db) => {
        await db.insert(smartChatRoomChanges).values({
          projectId: PROJECT,
          roomId: live,
          runId: "00000000-0000-4000-8000-000000000000",
          change: "created",
          changedFields: [],
          observedAt: new Date(),
        });
      });
      expect(found.map((d) => [d.kind, d.roomId])).toEqual([
        ["missing", String(gone.room_id)],
        ["duplicated", live],
      ]);
    } finally {
      harness.sim.deleteRoom(PROJECT, String(gone.room_id));
    }
    const extra = String(room(7).room_id);
    harness.sim.deleteRoom(PROJECT, extra);
    const found = await compareMirror(database.db, PROJECT, harness.sim.rooms(PROJECT));
    expect(found.map((d) => [d.kind, d.roomId])).toEqual([["not deleted", extra]]);
    expect(describeDifferences(found)).toMatch(/^1 not deleted \(e\.g\. not deleted /);
  });
});

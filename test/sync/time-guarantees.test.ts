import { and, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { smartChatRoomChanges, syncRuns } from "../../src/db/schema.js";
import type { FilterField } from "../../src/simulator/room-store.js";
import { expectExactMirror, startHarness, type Harness } from "../support/sync-harness.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

let database: TestDatabase;
let harness: Harness | undefined;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});
afterAll(async () => {
  await database.drop();
});

/** Rooms recorded deleted although the upstream still holds them: what must never happen. */
async function phantomDeletions(projectId: string): Promise<string[]> {
  const upstream = new Set(harness!.sim.rooms(projectId).map((room) => room.room_id as string));
  const rows = await database.db
    .select({ roomId: smartChatRoomChanges.roomId })
    .from(smartChatRoomChanges)
    .where(and(eq(smartChatRoomChanges.projectId, projectId), eq(smartChatRoomChanges.change, "deleted")));
  return rows.map((row) => row.roomId).filter((id) => upstream.has(id));
}

function editSome(projectId: string, count: number, tag: string): void {
  const rooms = harness!.sim.rooms(projectId);
  for (let i = 0; i < count; i += 1) {
    const room = rooms[(i * 37) % rooms.length]!;
    harness!.sim.updateRoom(projectId, room.room_id as string, { room_name: `${tag}-${i}` });
  }
  for (let i = 0; i < Math.ceil(count / 4); i += 1) harness!.sim.createRoom(projectId);
}

describe("a mirror that time cannot fool", () => {
  for (const offsetSeconds of [120, -240]) {
    it(`stays exact with no phantom deletion when the upstream clock is off by ${offsetSeconds} s`, async () => {
      const projectId = `p-skew${offsetSeconds > 0 ? "ahead" : "behind"}`;
      harness = await startHarness(database, {
        projectIds: [projectId],
        roomsPerProject: 600,
        now: () => new Date(Date.now() + offsetSeconds * 1000),
      });
      expect((await harness.run(projectId)).status).toBe("succeeded");
      editSome(projectId, 20, "a");
      expect((await harness.run(projectId, { mode: "incremental" })).status).toBe("succeeded");
      await expectExactMirror(database, harness.sim, projectId);
      editSome(projectId, 20, "b");
      const full = await harness.run(projectId);
      expect(full.status).toBe("succeeded");
      expect(await phantomDeletions(projectId)).toEqual([]);
      await expectExactMirror(database, harness.sim, projectId);
    });
  }

  const semantics: Array<{ field: FilterField; endTimeInclusive: boolean }> = [
    { field: "update_time", endTimeInclusive: true },
    { field: "update_time", endTimeInclusive: false },
    { field: "create_time", endTimeInclusive: false },
    { field: "ignored", endTimeInclusive: true },
  ];
  for (const { field, endTimeInclusive } of semantics) {
    it(`records no phantom deletion in a full run during continuous edits (${field}, ${endTimeInclusive ? "inclusive" : "exclusive"} end)`, async () => {
      const projectId = `p-churn-${field}-${endTimeInclusive ? "in" : "ex"}`.replace(/_/g, "");
      harness = await startHarness(database, {
        projectIds: [projectId],
        roomsPerProject: 1500,
        behaviour: { timeFilterField: field, endTimeInclusive },
      });
      expect((await harness.run(projectId)).status).toBe("succeeded");
      harness.sim.setBehaviour({ mutationsPerRequest: { create: 0, update: 1, delete: 0 } });
      const full = await harness.run(projectId);
      expect(full.status).toBe("succeeded");
      expect(await phantomDeletions(projectId)).toEqual([]);
      expect(full.counts.roomsDeleted).toBe(0);
      harness.sim.setBehaviour({ mutationsPerRequest: { create: 0, update: 0, delete: 0 } });
      expect((await harness.run(projectId, { mode: "incremental" })).status).toBe("succeeded");
      await expectExactMirror(database, harness.sim, projectId);
      const [row] = await database.db.select().from(syncRuns).where(eq(syncRuns.id, full.runId));
      expect(row!.status).toBe("succeeded");
    });
  }
});

import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { smartChatRoomChanges, smartChatRooms, syncRuns } from "../../src/db/schema.js";
import { liveRooms } from "../support/sync-harness.js";
import { useSyncHarness } from "../support/use-sync-harness.js";

/**
 * Items that cannot be stored as sent, among good ones, over real HTTP. Before issue 10 each of
 * them failed its whole 500-room batch, on every retry and every schedule.
 */
const sync = useSyncHarness();

const deep = (levels: number): unknown => {
  let value: unknown = "bottom";
  for (let i = 0; i < levels; i += 1) value = { next: value };
  return value;
};

async function roomRow(projectId: string, roomId: string) {
  const [row] = await sync.database.db
    .select()
    .from(smartChatRooms)
    .where(and(eq(smartChatRooms.projectId, projectId), eq(smartChatRooms.roomId, roomId)));
  return row;
}

describe("poisoned items", () => {
  it("stores what can be stored safely, skips the rest, and never blocks the good rooms", async () => {
    const project = "p-poison";
    const { sim, run } = await sync.start({ projectIds: [project], roomsPerProject: 300 });
    const now = new Date().toISOString();
    const longName = "n".repeat(10_000);
    sim.injectItem(project, { room_id: "long-name", room_name: longName, update_time: now });
    sim.injectItem(project, { room_id: "nul", room_name: "a\u0000b", update_time: now });
    sim.injectItem(project, { room_id: "surrogate", room_description: "x\ud800y", update_time: now });
    sim.injectItem(project, { room_id: "r".repeat(10_000), room_name: "long id", update_time: now });
    sim.injectItem(project, { room_id: "deep", extra: deep(1000), update_time: now });
    // Passes every check and is still refused by Postgres (integer out of range): retried alone.
    sim.injectItem(project, { room_id: "huge-int", concurrency: 3_000_000_000, update_time: now });

    const first = await run(project);
    expect(first.status).toBe("succeeded");
    expect(first.counts.itemsInvalid).toBe(3);
    const live = await liveRooms(sync.database, project);
    // Every good room, and the three stored normalised.
    expect(live.size).toBe(303);

    const named = await roomRow(project, "long-name");
    expect(named?.roomName).toHaveLength(512);
    expect((named?.raw as { room_name: string }).room_name).toBe(longName);
    expect((await roomRow(project, "nul"))?.roomName).toBe("a\ufffdb");
    expect((await roomRow(project, "surrogate"))?.roomDescription).toBe("x\ufffdy");
    expect(await roomRow(project, "huge-int")).toBeUndefined();
    expect(await roomRow(project, "deep")).toBeUndefined();

    // The run after it succeeds too, and judges nothing deleted: skipped items are not gone.
    const second = await run(project);
    expect(second.status).toBe("succeeded");
    expect(second.counts.roomsDeleted).toBe(0);
    const [row] = await sync.database.db.select().from(syncRuns).where(eq(syncRuns.id, second.runId));
    expect(row?.itemsInvalid).toBe(3);
  });

  it("never judges a room deleted because it became unstorable", async () => {
    const project = "p-poison-later";
    const { sim, run } = await sync.start({ projectIds: [project], roomsPerProject: 50 });
    const [victim] = sim.rooms(project);
    const roomId = String(victim!.room_id);
    await run(project);
    sim.updateRoom(project, roomId, { concurrency: 3_000_000_000 });
    const next = await run(project);
    expect(next.status).toBe("succeeded");
    expect(next.counts.itemsInvalid).toBe(1);
    expect((await liveRooms(sync.database, project)).has(roomId)).toBe(true);
    const deletions = await sync.database.db
      .select()
      .from(smartChatRoomChanges)
      .where(and(eq(smartChatRoomChanges.roomId, roomId), eq(smartChatRoomChanges.change, "deleted")));
    expect(deletions).toEqual([]);
  });
});

describe("a count that lies", () => {
  it("fails the run with a clear message once its budget is spent, instead of splitting forever", async () => {
    const project = "p-liar";
    await sync.start({ projectIds: [project], roomsPerProject: 10 });
    sync.harness.sim.hostile.always("list", { kind: "page", body: { count: 4000, smart_chat_rooms: [] } });
    const error = await sync.harness
      .run(project, {}, { runBudget: { baseRequests: 50, requestsPerPage: 2 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /more than the 130 allowed for an upstream reporting at most 4000 rooms/,
    );
    const [row] = await sync.database.db.select().from(syncRuns).where(eq(syncRuns.projectId, project));
    expect(row?.status).toBe("failed");
    expect(row?.error).toContain("count does not match the rooms it returns");
    // The request that went over is the last: every branch stops.
    expect(row?.requests).toBeLessThan(140);
  });
});

import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { queryRows } from "../../src/db/query-rows.js";
import { smartChatRoomChanges, smartChatRooms } from "../../src/db/schema.js";
import { startHarness, type Harness } from "../support/sync-harness.js";
import { useTestDatabase } from "../support/use-test-database.js";

const P = "p-history";
const database = useTestDatabase();
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness(database, { projectIds: [P], roomsPerProject: 60 });
});
afterAll(async () => {
  await harness.close();
});

/** The live rows as `smart_chat_rooms_as_of` returns them, taken straight from the table. */
async function liveSnapshot() {
  const rows = await database.db
    .select()
    .from(smartChatRooms)
    .where(and(eq(smartChatRooms.projectId, P), isNull(smartChatRooms.deletedAt)))
    .orderBy(asc(smartChatRooms.roomId));
  return rows.map((r) => ({
    room_id: r.roomId,
    room_name: r.roomName,
    model_asset_id: r.modelAssetId,
    concurrency: r.concurrency,
    update_time: r.updateTime?.toISOString() ?? null,
    raw: r.raw,
    first_seen_at: r.firstSeenAt.toISOString(),
  }));
}

async function asOf(at: Date) {
  const rows = await queryRows<Record<string, unknown>>(
    database.db,
    sql`select * from smart_chat_rooms_as_of(${P}, ${at.toISOString()}::timestamptz) order by room_id`,
  );
  return rows.map((r) => ({
    room_id: r.room_id,
    room_name: r.room_name,
    model_asset_id: r.model_asset_id,
    concurrency: r.concurrency,
    update_time: r.update_time === null ? null : new Date(r.update_time as string).toISOString(),
    raw: r.raw,
    first_seen_at: new Date(r.first_seen_at as string).toISOString(),
  }));
}

const changesOf = (roomId: string) =>
  database.db
    .select()
    .from(smartChatRoomChanges)
    .where(and(eq(smartChatRoomChanges.projectId, P), eq(smartChatRoomChanges.roomId, roomId)))
    .orderBy(asc(smartChatRoomChanges.id));

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("the mirror's history", () => {
  it("records discovered, created, updated with before/after, deleted and restored, and rebuilds any moment", async () => {
    const before = new Date();
    await tick();
    await harness.run(P);
    const discovered = await queryRows<{ change: string; n: number; with_after: number }>(
      database.db,
      sql`select change, count(*)::int as n, count(after)::int as with_after
            from smart_chat_room_changes where project_id = ${P} group by change`,
    );
    expect(discovered).toEqual([{ change: "discovered", n: 60, with_after: 60 }]);
    await tick();
    const t1 = new Date();
    const atT1 = await liveSnapshot();
    await tick();

    const [renamed, removed, untouched, ...rest] = harness.sim.rooms(P);
    const renamedId = String(renamed!.room_id);
    const removedId = String(removed!.room_id);
    harness.sim.updateRoom(P, renamedId, { room_name: "after the rename", concurrency: 7 });
    harness.sim.deleteRoom(P, removedId);
    const fresh = harness.sim.createRoom(P, { room_name: "brand new" });
    await harness.run(P);
    await tick();
    const t2 = new Date();
    const atT2 = await liveSnapshot();
    await tick();

    const rename = (await changesOf(renamedId)).at(-1)!;
    expect(rename.change).toBe("updated");
    expect(rename.changedFields).toEqual(expect.arrayContaining(["concurrency", "room_name", "update_time"]));
    expect(rename.before).toMatchObject({ room_name: renamed!.room_name });
    expect(Object.keys(rename.before!).sort()).toEqual([...rename.changedFields].sort());
    expect(rename.after).toMatchObject({ room_name: "after the rename", concurrency: 7 });
    const deletion = (await changesOf(removedId)).at(-1)!;
    expect(deletion).toMatchObject({ change: "deleted", before: removed, after: null });
    expect((await changesOf(String(fresh.room_id))).map((c) => [c.change, c.after])).toEqual([
      ["created", fresh],
    ]);

    // Third run: the deleted room returns, the renamed one changes again, another goes.
    harness.sim.createRoom(P, { ...removed, room_name: "back again" });
    harness.sim.updateRoom(P, renamedId, { room_name: "renamed twice", cover_url: undefined });
    harness.sim.deleteRoom(P, String(untouched!.room_id));
    await harness.run(P);
    expect((await changesOf(removedId)).map((c) => c.change)).toEqual(["discovered", "deleted", "restored"]);

    expect(await asOf(before)).toEqual([]);
    expect(await asOf(t1)).toEqual(atT1);
    expect(await asOf(t2)).toEqual(atT2);
    expect(await asOf(new Date())).toEqual(await liveSnapshot());
    expect((await asOf(t1)).find((r) => r.room_id === renamedId)?.room_name).toBe(renamed!.room_name);
    expect((await asOf(t2)).map((r) => r.room_id)).not.toContain(removedId);
    expect(rest.length).toBeGreaterThan(0);
  });
});

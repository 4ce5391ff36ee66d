import { describe, expect, it } from "vitest";

import { describePhantomDeletions, findPhantomDeletions } from "../../src/sync/phantom-deletions.js";
import { useSyncHarness } from "../support/use-sync-harness.js";

const sync = useSyncHarness();

describe("findPhantomDeletions", () => {
  it("reports a deletion only for a room the upstream never deleted, and whether a later run undid it", async () => {
    const { sim, run } = await sync.start({ projectIds: ["p-ph", "p-other"], roomsPerProject: 60 });
    await run("p-ph");
    await run("p-other");
    const [gone, back] = sim.rooms("p-ph");
    sim.deleteRoom("p-ph", String(gone!.room_id));
    sim.deleteRoom("p-ph", String(back!.room_id));
    sim.deleteRoom("p-other", String(sim.rooms("p-other")[0]!.room_id));
    await run("p-ph", {}, { massDeleteThreshold: 1 });
    await run("p-other", {}, { massDeleteThreshold: 1 });
    sim.createRoom("p-ph", { ...back, update_time: undefined });
    await run("p-ph");

    expect(await findPhantomDeletions(sync.database.db, "p-ph", sim.deletedRoomIds("p-ph"))).toEqual([]);
    // Judged against an upstream that deleted nothing, both deletions are phantoms.
    const phantoms = await findPhantomDeletions(sync.database.db, "p-ph", new Set());
    expect(phantoms.map((p) => [p.roomId, p.undone]).sort()).toEqual(
      [
        [String(gone!.room_id), false],
        [String(back!.room_id), true],
      ].sort(),
    );
    expect(phantoms.every((p) => p.runId.length === 36 && !Number.isNaN(Date.parse(p.observedAt)))).toBe(
      true,
    );
    expect(describePhantomDeletions(phantoms)).toMatch(
      /^2 phantom deletion\(s\) .*\(1 restored by a later run\)/,
    );
    expect(describePhantomDeletions([])).toBe("no phantom deletions");
  });
});

import { describe, expect, it } from "vitest";

import { describePhantomDeletions, findPhantomDeletions } from "../../src/sync/phantom-deletions.js";
import { failFullRunAt } from "../support/fail-full-run-at.js";
import { useSyncHarness } from "../support/use-sync-harness.js";

const sync = useSyncHarness();

describe("an item that cannot be mirrored", () => {
  // Its ID was kept in memory until deletions were judged, while the window that read it was
  // recorded complete: a failed run lost it, and the run resuming it skipped that window and
  // judged the room deleted.
  it("is still seen by the run resuming the failed run that read it", async () => {
    const project = "p-invalid-resume";
    const h = await sync.start({ projectIds: [project], roomsPerProject: 300 });
    expect((await h.run(project)).status).toBe("succeeded");
    // The oldest room becomes unstorable upstream, keeping its place (its update_time).
    const [victim] = [...h.sim.rooms(project)].sort((a, b) =>
      String(a.update_time).localeCompare(String(b.update_time)),
    );
    let deep: unknown = "bottom";
    for (let i = 0; i < 40; i += 1) deep = { next: deep };
    h.sim.updateRoom(project, String(victim!.room_id), { extra: deep, update_time: victim!.update_time });

    // A full run that completes its first (oldest) planned window, then fails.
    await failFullRunAt(h, sync.database, project, 3);

    const resumed = await h.run(project);
    expect(resumed.status).toBe("succeeded");
    expect(resumed.resumedFrom).not.toBeNull();
    expect(resumed.counts.roomsDeleted).toBe(0);
    const phantoms = await findPhantomDeletions(sync.database.db, project, h.sim.deletedRoomIds(project));
    expect(phantoms, describePhantomDeletions(phantoms)).toEqual([]);
  });
});

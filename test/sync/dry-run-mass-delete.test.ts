import { describe, expect, it } from "vitest";

import { MassDeleteRefusedError } from "../../src/sync/sync-errors.js";
import { liveRooms } from "../support/sync-harness.js";
import { useSyncHarness } from "../support/use-sync-harness.js";

const sync = useSyncHarness();

describe("a dry full run", () => {
  // It previewed 40 deletions of 100 rooms where the real run refuses to make any.
  it("refuses a mass delete as the real run does", async () => {
    const project = "p-dry-mass";
    const h = await sync.start({ projectIds: [project], roomsPerProject: 100 });
    await h.run(project);
    for (const room of h.sim.rooms(project).slice(0, 40)) h.sim.deleteRoom(project, String(room.room_id));
    const dry = h.run(project, { dryRun: true });
    await expect(dry).rejects.toBeInstanceOf(MassDeleteRefusedError);
    await expect(dry).rejects.toThrow(/Refusing to mark 40 of 100 live rooms.*--allow-mass-delete/);
    await expect(h.run(project)).rejects.toBeInstanceOf(MassDeleteRefusedError);
    expect((await liveRooms(sync.database, project)).size).toBe(100);
  });

  it("previews the deletions when a mass delete is allowed, or within the threshold", async () => {
    const project = "p-dry-allowed";
    const h = await sync.start({ projectIds: [project], roomsPerProject: 100 });
    await h.run(project);
    for (const room of h.sim.rooms(project).slice(0, 40)) h.sim.deleteRoom(project, String(room.room_id));
    const allowed = await h.run(project, { dryRun: true, allowMassDelete: true });
    expect(allowed.counts.roomsDeleted).toBe(40);
    const within = await h.run(project, { dryRun: true }, { massDeleteThreshold: 0.5 });
    expect(within.counts.roomsDeleted).toBe(40);
    expect((await liveRooms(sync.database, project)).size).toBe(100);
  });
});

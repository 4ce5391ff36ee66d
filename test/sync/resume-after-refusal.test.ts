import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { syncRunWindows, syncRuns } from "../../src/db/schema.js";
import { describePhantomDeletions, findPhantomDeletions } from "../../src/sync/phantom-deletions.js";
import { MassDeleteRefusedError } from "../../src/sync/sync-errors.js";
import { liveRooms } from "../support/sync-harness.js";
import { failFullRunAt } from "../support/fail-full-run-at.js";
import { useSyncHarness } from "../support/use-sync-harness.js";

const sync = useSyncHarness();

describe("a full run refused as a mass delete", () => {
  // An upstream fault answered every window empty, consistently: the refused run completed every
  // window, and the run re-run after it with --allow-mass-delete (as the refusal advises) took
  // them over, read nothing again, and marked every live room deleted.
  it("is never resumed: the run after it reads everything again", async () => {
    const project = "p-refused";
    const h = await sync.start({ projectIds: [project], roomsPerProject: 300 });
    expect((await h.run(project)).status).toBe("succeeded");
    h.sim.hostile.always("list", { kind: "page", body: { count: 0, smart_chat_rooms: [] } });
    await expect(h.run(project)).rejects.toBeInstanceOf(MassDeleteRefusedError);
    const [refused] = await sync.database.db
      .select()
      .from(syncRuns)
      .where(and(eq(syncRuns.projectId, project), eq(syncRuns.status, "failed")));
    // Its windows are dropped too, for a row that never records the refusal.
    const windows = await sync.database.db
      .select()
      .from(syncRunWindows)
      .where(eq(syncRunWindows.runId, refused!.id));
    expect(windows).toEqual([]);

    h.sim.hostile.clear();
    const rerun = await h.run(project, { allowMassDelete: true });
    expect(rerun.status).toBe("succeeded");
    expect(rerun.resumedFrom).toBeNull();
    expect(rerun.counts.roomsDeleted).toBe(0);
    expect(rerun.counts.roomsSeen).toBe(300);
    const phantoms = await findPhantomDeletions(sync.database.db, project, h.sim.deletedRoomIds(project));
    expect(phantoms, describePhantomDeletions(phantoms)).toEqual([]);
    expect((await liveRooms(sync.database, project)).size).toBe(300);
  });

  it("takes the windows it resumed with it: the run after it reads everything again", async () => {
    const project = "p-refused-chain";
    const h = await sync.start({ projectIds: [project], roomsPerProject: 300 });
    expect((await h.run(project)).status).toBe("succeeded");
    // A full run that completes its first (oldest) planned window, then fails.
    await failFullRunAt(h, sync.database, project, 3);
    // The run resuming it reads the other windows empty, and is refused.
    h.sim.hostile.always("list", { kind: "page", body: { count: 0, smart_chat_rooms: [] } });
    await expect(h.run(project)).rejects.toBeInstanceOf(MassDeleteRefusedError);
    h.sim.hostile.clear();
    const rerun = await h.run(project, { allowMassDelete: true });
    expect(rerun.resumedFrom).toBeNull();
    expect(rerun.counts.roomsDeleted).toBe(0);
    const phantoms = await findPhantomDeletions(sync.database.db, project, h.sim.deletedRoomIds(project));
    expect(phantoms, describePhantomDeletions(phantoms)).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";

import { expectExactMirror } from "../support/sync-harness.js";
import { useSyncHarness } from "../support/use-sync-harness.js";

/**
 * A room whose `update_time` moves back between runs, over real HTTP into Postgres. The stale
 * check is for a late page of the run that stored the newer version; against a row an earlier run
 * wrote, the upstream is the truth (room-diff's RoomOutcome), or the edit is never mirrored.
 */
const sync = useSyncHarness();

async function succeeded(run: Promise<{ status: string }>) {
  expect((await run).status).toBe("succeeded");
}

const plainSecond = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

describe("an edit that moves update_time back", () => {
  it("is mirrored by the next run, full or incremental", async () => {
    const project = "p-back-in-time";
    const h = await sync.start({ projectIds: [project], roomsPerProject: 50 });
    await succeeded(h.run(project));
    const [room] = [...h.sim.rooms(project)].sort((a, b) =>
      String(b.update_time).localeCompare(String(a.update_time)),
    );
    const id = String(room!.room_id);
    // E.g. the upstream's clock corrected backwards: an hour older than what the mirror holds.
    const older = plainSecond(Date.parse(String(room!.update_time)) - 3600_000);
    h.sim.updateRoom(project, id, { room_name: "renamed upstream", update_time: older });
    await succeeded(h.run(project));
    await expectExactMirror(sync.database, h.sim, project);
  });

  it("corrects a room once stamped in the future", async () => {
    const project = "p-future-stamp";
    const h = await sync.start({ projectIds: [project], roomsPerProject: 50 });
    const id = String(h.sim.rooms(project)[0]!.room_id);
    h.sim.updateRoom(project, id, { update_time: "2099-01-01T00:00:00Z" });
    await succeeded(h.run(project));
    h.sim.updateRoom(project, id, { room_name: "fixed" }); // stamped now
    await succeeded(h.run(project, { mode: "incremental" }));
    await expectExactMirror(sync.database, h.sim, project);
    await succeeded(h.run(project));
    await expectExactMirror(sync.database, h.sim, project);
  });
});

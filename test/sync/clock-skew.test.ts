import { describe, expect, it } from "vitest";

import type { SimulatorBehaviour } from "../../src/simulator/simulator.js";
import { compareMirror } from "../../src/sync/compare-mirror.js";
import { differencesBesidesDeletions, expectNoPhantomDeletions } from "../support/history-checks.js";
import { expectExactMirror, type Harness } from "../support/sync-harness.js";
import { useSyncHarness } from "../support/use-sync-harness.js";

const sync = useSyncHarness();

/**
 * Rooms the upstream creates, edits and deletes between runs, each stamped by its own clock.
 * Picks are by position in a seeded dataset, so every run of the test changes the same rooms.
 */
function edit(h: Harness, projectId: string, round: number): void {
  const rooms = h.sim.rooms(projectId);
  for (let i = 0; i < 12; i += 1)
    h.sim.createRoom(projectId, { room_name: `created in round ${round} #${i}` });
  for (let i = 0; i < 25; i += 1) {
    const room = rooms[(i * 37 + round * 11) % rooms.length]!;
    h.sim.updateRoom(projectId, String(room.room_id), { room_name: `edited in round ${round} #${i}` });
  }
  for (let i = 0; i < 3; i += 1) {
    const room = rooms[(i * 101 + round * 7 + 500) % rooms.length]!;
    h.sim.deleteRoom(projectId, String(room.room_id));
  }
}

const CASES: Array<{ name: string; offset: number; behaviour?: Partial<SimulatorBehaviour> }> = [
  { name: "ahead by 120 s", offset: 120 },
  { name: "behind by 240 s", offset: -240 },
  {
    name: "ahead by 120 s, filtering on create_time with an exclusive end_time",
    offset: 120,
    behaviour: { timeFilterField: "create_time", endTimeInclusive: false },
  },
];

describe("an upstream clock that differs from ours", () => {
  for (const [index, { name, offset, behaviour }] of CASES.entries()) {
    it(`${name}: full, edits, incremental, edits, full end exact, with no phantom deletion`, async () => {
      const projectId = `p-skew-${index}`;
      const h = await sync.start({
        projectIds: [projectId],
        roomsPerProject: 1500,
        seed: 31 + index,
        behaviour: { clockOffsetSeconds: offset, ...behaviour },
      });
      expect((await h.run(projectId)).status).toBe("succeeded");
      await expectExactMirror(sync.database, h.sim, projectId);

      edit(h, projectId, 1);
      expect((await h.run(projectId, { mode: "incremental" })).status).toBe("succeeded");
      // The incremental run must read every creation and edit, whatever the upstream's clock.
      // Soft: the run goes on, so a failure also shows what the final full run made of it.
      expect.soft(await differencesBesidesDeletions(sync.database, h.sim, projectId)).toEqual([]);

      edit(h, projectId, 2);
      const full = await h.run(projectId);
      expect(full.status).toBe("succeeded");
      expect.soft(await compareMirror(sync.database.db, projectId, h.sim.rooms(projectId))).toEqual([]);
      expect.soft(full.counts.roomsDeleted).toBe(6);
      await expectNoPhantomDeletions(sync.database, h.sim, projectId);
    });
  }
});

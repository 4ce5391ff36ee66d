import { describe, expect, it } from "vitest";

import type { SimulatorBehaviour } from "../../src/simulator/simulator.js";
import { compareMirror } from "../../src/sync/compare-mirror.js";
import { expectNoPhantomDeletions } from "../support/history-checks.js";
import { expectExactMirror } from "../support/sync-harness.js";
import { useSyncHarness } from "../support/use-sync-harness.js";

const sync = useSyncHarness();

/** About one edit per list request, never a deletion: any `deleted` change is a phantom. */
const EDITS = { perRequest: 1, perSecond: 0, mix: { create: 0, update: 1, delete: 0 } };
const QUIET = { perRequest: 0, perSecond: 0, mix: { create: 0, update: 1, delete: 0 } };

const CASES: Array<{ name: string; behaviour: Partial<SimulatorBehaviour> }> = [
  { name: "filtering on update_time", behaviour: { timeFilterField: "update_time" } },
  {
    name: "filtering on update_time with an exclusive end_time",
    behaviour: { timeFilterField: "update_time", endTimeInclusive: false },
  },
  { name: "filtering on create_time", behaviour: { timeFilterField: "create_time" } },
  {
    name: "filtering on create_time with an exclusive end_time",
    behaviour: { timeFilterField: "create_time", endTimeInclusive: false },
  },
  { name: "ignoring the time filter", behaviour: { timeFilterField: "ignored" } },
];

describe("a full run while rooms are edited", () => {
  for (const [index, { name, behaviour }] of CASES.entries()) {
    it(`${name}: deletes nothing, mirrors the edits and ends exact`, async () => {
      const projectId = `p-churn-${index}`;
      const h = await sync.start({
        projectIds: [projectId],
        roomsPerProject: 3000,
        seed: 17 + index,
        behaviour,
      });
      expect((await h.run(projectId)).status).toBe("succeeded");
      await expectExactMirror(sync.database, h.sim, projectId);

      h.sim.setBehaviour({ churn: EDITS });
      const full = await h.run(projectId);
      h.sim.setBehaviour({ churn: QUIET });
      expect(full.status).toBe("succeeded");
      const edited = h.sim.changeCounts(projectId).update;
      expect(edited).toBeGreaterThan(20);
      expect(h.sim.deletedRoomIds(projectId).size).toBe(0);
      // Soft: a failure also shows the history and what a quiet run makes of it.
      expect.soft(full.counts.roomsDeleted).toBe(0);
      expect.soft(full.counts.roomsUpdated).toBeGreaterThan(0);
      // The run ends with the mirror as of its end: its closing read mirrors edits made during it.
      expect.soft(await compareMirror(sync.database.db, projectId, h.sim.rooms(projectId))).toEqual([]);
      await expectNoPhantomDeletions(sync.database, h.sim, projectId);

      expect((await h.run(projectId, { mode: "incremental" })).status).toBe("succeeded");
      await expectExactMirror(sync.database, h.sim, projectId);
      await expectNoPhantomDeletions(sync.database, h.sim, projectId);
    });
  }
});

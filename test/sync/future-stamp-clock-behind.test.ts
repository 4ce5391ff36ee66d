import { describe, expect, it } from "vitest";

import type { MetaStudioClient } from "../../src/metastudio/metastudio-client.js";
import { compareMirror } from "../../src/sync/compare-mirror.js";
import { runSync } from "../../src/sync/run-sync.js";
import { formatRfc3339 } from "../../src/sync/time-window.js";
import { differencesBesidesDeletions, expectNoPhantomDeletions } from "../support/history-checks.js";
import { useSyncHarness } from "../support/use-sync-harness.js";

const sync = useSyncHarness();

type List = MetaStudioClient["listSmartChatRooms"];

/** How far the upstream's clock runs behind ours: within the tolerance (300 s by default). */
const LAG_SECONDS = 120;

/**
 * A full run after a first one, against an upstream whose clock is LAG_SECONDS behind ours and
 * whose answers carry no `Date` header, holding one room stamped `stamp` (past the upstream's
 * clock) and 150 rooms it edited just before the run, so the closing read's open window is busier
 * than a page. Every request of the run edits one more room, as a busy project's users do while
 * a run pages through it; one room is deleted before the run.
 */
async function runBehindWithEdits(project: string, stamp: (ourSecond: number) => string) {
  const h = await sync.start({
    projectIds: [project],
    roomsPerProject: 600,
    seed: 17,
    behaviour: { clockOffsetSeconds: -LAG_SECONDS },
  });
  let editing = false;
  let edits = 0;
  const client = {
    listSmartChatRooms: (async (query, options) => {
      if (editing) {
        const id = others[150 + (edits++ % (others.length - 150))]!;
        h.sim.updateRoom(project, id, { room_name: `edited while the run paged #${edits}` });
      }
      const page = await h.client.listSmartChatRooms(query, options);
      return { ...page, date: undefined };
    }) as List,
  };
  const deps = { database: sync.database, client, logger: h.logger, settings: h.settings };
  const full = () => runSync(deps, { projectId: project, mode: "full", trigger: "cli" });
  expect((await full()).status).toBe("succeeded");

  const [future, gone, ...others] = h.sim.rooms(project).map((room) => String(room.room_id));
  h.sim.updateRoom(project, future!, { update_time: stamp(Math.floor(Date.now() / 1000)) });
  h.sim.deleteRoom(project, gone!);
  for (const id of others.slice(0, 150))
    h.sim.updateRoom(project, id, { room_name: "edited before the run" });
  editing = true;
  const run = await full();
  editing = false;
  return { h, run, edits };
}

describe("an upstream clock behind ours, without a Date header, holding a room stamped past it", () => {
  // The open window was cut at its latest stamp capped at our clock: LAG_SECONDS later than the
  // upstream's clock stood. A room edited after its "settled" part was read was stamped inside
  // that part, not in the rest read last, and nothing read it again: an edit made during the run
  // was not mirrored (a room moved into a split part already completed is not even seen, and a
  // full run may then judge it deleted).
  const STAMPS: Array<[string, (ourSecond: number) => string]> = [
    ["in 2099", () => "2099-01-01T00:00:00Z"],
    ["30 s past our clock", (ourSecond) => formatRfc3339(ourSecond + 30)],
  ];
  for (const [index, [name, stamp]] of STAMPS.entries()) {
    it(`${name}: every edit made while the run paged is mirrored, and nothing the upstream holds is recorded deleted`, async () => {
      const project = `p-behind-no-date-${index}`;
      const { h, run, edits } = await runBehindWithEdits(project, stamp);
      expect(run.status).toBe("succeeded");
      expect(edits).toBeGreaterThan(10);
      expect.soft(await differencesBesidesDeletions(sync.database, h.sim, project)).toEqual([]);
      await expectNoPhantomDeletions(sync.database, h.sim, project);
      // The window held still once cut where the upstream's clock surely stood: deletions judged.
      expect(await compareMirror(sync.database.db, project, h.sim.rooms(project))).toEqual([]);
    });
  }
});

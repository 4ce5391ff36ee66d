import { expect } from "vitest";

import type { Database } from "../../src/db/database.js";
import type { Simulator } from "../../src/simulator/simulator.js";
import { compareMirror, type MirrorDifference } from "../../src/sync/compare-mirror.js";
import { describePhantomDeletions, findPhantomDeletions } from "../../src/sync/phantom-deletions.js";

/**
 * Asserts the project's change log never recorded `deleted` for a room the upstream never
 * deleted, restored since or not: the history, not only the final state.
 */
export async function expectNoPhantomDeletions(
  database: Database,
  sim: Simulator,
  projectId: string,
): Promise<void> {
  const phantoms = await findPhantomDeletions(database.db, projectId, sim.deletedRoomIds(projectId));
  expect(phantoms, describePhantomDeletions(phantoms)).toEqual([]);
}

/**
 * What an incremental run may leave different: only rooms the upstream deleted and the mirror
 * still holds live (an incremental run never concludes a room is gone). Anything else, a room
 * missing or stale, is something the run failed to read.
 */
export async function differencesBesidesDeletions(
  database: Database,
  sim: Simulator,
  projectId: string,
): Promise<MirrorDifference[]> {
  const deleted = sim.deletedRoomIds(projectId);
  const differences = await compareMirror(database.db, projectId, sim.rooms(projectId));
  return differences.filter((d) => !(d.kind === "not deleted" && deleted.has(d.roomId)));
}

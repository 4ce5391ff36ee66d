import { describePhantomDeletions, findPhantomDeletions } from "../../src/sync/phantom-deletions.js";
import type { Drill, DrillContext, DrillResult } from "./drill.js";
import { DrillSubject } from "./drill-subject.js";

/** Rooms created, edited and deleted upstream between runs, each a share of the project. */
const CREATE_SHARE = 0.01;
const EDIT_SHARE = 0.02;
const DELETE_SHARE = 0.002;

/**
 * Drill 9a: the upstream's clock ahead of ours by two minutes, then behind by four. Each goes
 * full, edits, incremental, edits, full; rooms created and edited are stamped by the upstream's
 * clock, so a run whose windows end at our now never reads the ones ahead of it. The mirror
 * must end exact, and the change log may hold no `deleted` for a room the upstream never deleted.
 */
export const clockSkewDrill: Drill = {
  name: "clock-skew",
  async run(context) {
    return [await skewed(context, 120), await skewed(context, -240)];
  },
};

async function skewed(context: DrillContext, offsetSeconds: number): Promise<DrillResult> {
  const label = offsetSeconds > 0 ? `ahead_${offsetSeconds}` : `behind_${-offsetSeconds}`;
  const subject = await DrillSubject.open(context, {
    name: `skew_${label}`,
    rooms: context.rooms,
    seed: 41,
    behaviour: { clockOffsetSeconds: offsetSeconds },
  });
  try {
    await subject.syncUntilSuccess();
    const first = edit(subject, 1);
    await subject.syncUntilSuccess({ job: { mode: "incremental" } });
    const second = edit(subject, 2);
    const full = await subject.syncUntilSuccess();
    const problems = await subject.verify();
    const phantoms = await findPhantomDeletions(
      subject.database.db,
      subject.projectId,
      subject.sim.deletedRoomIds(subject.projectId),
    );
    if (phantoms.length > 0) problems.push(describePhantomDeletions(phantoms));
    const deletedUpstream = first.deleted + second.deleted;
    if (full.counts.roomsDeleted !== deletedUpstream) {
      problems.push(
        `the last full run deleted ${full.counts.roomsDeleted} rooms, the upstream ${deletedUpstream}`,
      );
    }
    context.say(`clock ${label.replace("_", " by ")} s: ${describePhantomDeletions(phantoms)}`);
    return subject.result(
      `9a clock skew ${offsetSeconds > 0 ? "+" : ""}${offsetSeconds} s`,
      `upstream clock ${offsetSeconds > 0 ? "ahead by" : "behind by"} ${Math.abs(offsetSeconds)} s: ` +
        `full, ${describe(first)}, incremental, ${describe(second)}, full`,
      problems,
    );
  } finally {
    await subject.close();
  }
}

interface Edits {
  created: number;
  edited: number;
  deleted: number;
}

/** The same rooms every time: picked by position in the seeded dataset. */
function edit(subject: DrillSubject, round: number): Edits {
  const { sim, projectId } = subject;
  const rooms = sim.rooms(projectId);
  const count = (share: number) => Math.max(1, Math.round(rooms.length * share));
  const edits = { created: count(CREATE_SHARE), edited: count(EDIT_SHARE), deleted: count(DELETE_SHARE) };
  for (let i = 0; i < edits.created; i += 1) sim.createRoom(projectId, { room_name: `round ${round} #${i}` });
  for (let i = 0; i < edits.edited; i += 1) {
    const room = rooms[(i * 37 + round * 11) % rooms.length]!;
    sim.updateRoom(projectId, String(room.room_id), { room_name: `edited in round ${round} #${i}` });
  }
  const deleted = new Set<string>();
  for (let i = 0; deleted.size < edits.deleted && i < rooms.length; i += 1) {
    const id = String(rooms[(i * 101 + round * 7 + 500) % rooms.length]!.room_id);
    if (!deleted.has(id)) {
      deleted.add(id);
      sim.deleteRoom(projectId, id);
    }
  }
  return edits;
}

function describe(edits: Edits): string {
  return `${edits.created} created/${edits.edited} edited/${edits.deleted} deleted`;
}

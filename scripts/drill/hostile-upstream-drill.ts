import { canonicalJson } from "../../src/sync/canonical-json.js";
import { describeDifferences } from "../../src/sync/compare-mirror.js";
import type { Drill } from "./drill.js";
import { DrillSubject } from "./drill-subject.js";

const HOSTILE = {
  error5xxRate: 0.1,
  throttleRate: 0.05,
  retryAfterSeconds: 1,
  resetRate: 0.02,
  truncateRate: 0.02,
  mutationsPerRequest: { create: 1, update: 2, delete: 1 },
};
const QUIET = {
  error5xxRate: 0,
  throttleRate: 0,
  resetRate: 0,
  truncateRate: 0,
  mutationsPerRequest: { create: 0, update: 0, delete: 0 },
};

/**
 * Drill 2: a full sync against an upstream failing ~10% of requests with 5xx, 5% with 429, 2%
 * with connection resets and 2% with truncated bodies, while rooms are created, updated and
 * deleted on every request. The run may not be exact (rooms moved under it), but every room
 * that held still must be; then, the upstream quiet, one full run must converge exactly.
 */
export const hostileUpstreamDrill: Drill = {
  name: "hostile-upstream",
  async run(context) {
    const subject = await DrillSubject.open(context, {
      name: "hostile",
      rooms: context.rooms,
      seed: 23,
      behaviour: HOSTILE,
      settings: { maxWindowRooms: 1000 },
    });
    try {
      const snapshot = () =>
        new Map(subject.sim.rooms(subject.projectId).map((r) => [String(r.room_id), canonicalJson(r)]));
      const before = snapshot();
      await subject.syncUntilSuccess();
      const after = snapshot();
      const statuses = new Map<number, number>();
      for (const r of subject.sim.requests) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      const faults = [
        [500, "5xx"],
        [429, "429"],
        [-1, "resets"],
        [-200, "truncated"],
      ] as const;
      context.say(
        `upstream during the run: ${subject.requests} requests, ` +
          faults.map(([status, label]) => `${statuses.get(status) ?? 0} ${label}`).join(", ") +
          `; rooms ${before.size} -> ${after.size}`,
      );
      // Rooms identical before and after the run held still: for them the run alone must be exact.
      const stable = new Set([...before].filter(([id, json]) => after.get(id) === json).map(([id]) => id));
      const duringRun = await subject.compare();
      const stableWrong = duringRun.filter((d) => stable.has(d.roomId) || d.kind === "duplicated");
      context.say(
        `after the hostile run: ${duringRun.length} differences, all on rooms changed during it ` +
          `(${stable.size} rooms held still, ${stableWrong.length} of them wrong)`,
      );

      subject.sim.setBehaviour(QUIET);
      const hostileRequests = subject.requests;
      await subject.syncUntilSuccess();
      const differences = await subject.compare();
      const bookkeeping = await subject.bookkeeping();
      const problems: string[] = [];
      if (stableWrong.length > 0) problems.push(`rooms that held still: ${describeDifferences(stableWrong)}`);
      if (differences.length > 0) problems.push(`after the quiet run: ${describeDifferences(differences)}`);
      if (bookkeeping.running > 0) problems.push(`${bookkeeping.running} runs left 'running'`);
      const created = [...after.keys()].filter((id) => !before.has(id)).length;
      const deleted = [...before.keys()].filter((id) => !after.has(id)).length;
      const updated = after.size - created - stable.size;
      const did =
        `${faults.map(([s, l]) => `${statuses.get(s) ?? 0} ${l}`).join("/")} in ${hostileRequests} ` +
        `requests, ${created} created/${updated} updated/${deleted} deleted meanwhile; then a quiet full run`;
      return [subject.result("2 hostile upstream", did, problems)];
    } finally {
      await subject.close();
    }
  },
};

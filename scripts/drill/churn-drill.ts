import type { Churn } from "../../src/simulator/simulator.js";
import { describeDifferences } from "../../src/sync/compare-mirror.js";
import { describePhantomDeletions, findPhantomDeletions } from "../../src/sync/phantom-deletions.js";
import type { Drill } from "./drill.js";
import { DrillSubject } from "./drill-subject.js";

/** About one change per request, mostly edits: rooms move to the newest window as a run pages. */
const CHURN: Churn = { perRequest: 1, perSecond: 0, mix: { create: 1, update: 8, delete: 1 } };
const QUIET: Churn = { perRequest: 0, perSecond: 0, mix: { create: 0, update: 1, delete: 0 } };

/**
 * Drill 9b: a second full run while the upstream creates, edits and deletes rooms at about one
 * per request. Every room it marks deleted must be one the upstream deleted (the change log is
 * checked, not only the final state); when it ends, the mirror may differ only by rooms deleted
 * after the run read them; one quiet full run afterwards must be exact. Reports the run's
 * requests next to the quiet first run's.
 */
export const churnDrill: Drill = {
  name: "churn",
  async run(context) {
    const subject = await DrillSubject.open(context, { name: "churn", rooms: context.rooms, seed: 43 });
    try {
      const quiet = await subject.syncUntilSuccess();
      subject.sim.setBehaviour({ churn: CHURN });
      const churned = await subject.syncUntilSuccess();
      subject.sim.setBehaviour({ churn: QUIET });
      const { sim, projectId } = subject;
      const changes = sim.changeCounts(projectId);
      const deletedUpstream = sim.deletedRoomIds(projectId);
      const phantoms = await findPhantomDeletions(subject.database.db, projectId, deletedUpstream);
      // A room deleted after the run read it cannot be known deleted; anything else is a miss.
      const atEnd = (await subject.compare()).filter(
        (d) => !(d.kind === "not deleted" && deletedUpstream.has(d.roomId)),
      );
      context.say(
        `churned full run: ${churned.counts.requests} requests (quiet: ${quiet.counts.requests}) while ` +
          `${changes.create} created/${changes.update} edited/${changes.delete} deleted; ` +
          describePhantomDeletions(phantoms),
      );
      await subject.syncUntilSuccess();
      const problems = await subject.verify();
      if (phantoms.length > 0) problems.push(describePhantomDeletions(phantoms));
      if (atEnd.length > 0) problems.push(`as the churned run ended: ${describeDifferences(atEnd)}`);
      return [
        subject.result(
          "9b churn",
          `full run while ${changes.create} created/${changes.update} edited/${changes.delete} deleted ` +
            `(~1 per request): ${churned.counts.requests} requests vs ${quiet.counts.requests} quiet; ` +
            `then a quiet full run`,
          problems,
        ),
      ];
    } finally {
      await subject.close();
    }
  },
};

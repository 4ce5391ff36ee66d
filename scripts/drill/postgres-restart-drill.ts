import type { RunProgress } from "../../src/sync/run-sync.js";
import type { Drill } from "./drill.js";
import { DrillSubject } from "./drill-subject.js";
import { crashPostgres, type PostgresOutage } from "./postgres-outage.js";

const DOWN_MS = 2000;

/**
 * Drill 1: Postgres crashes halfway through a full sync and comes back two seconds later. The
 * run fails; runs are retried (failing fast while the server is down) until one succeeds, and
 * that one must resume the crashed run from its completed windows and end with an exact mirror.
 * A fresh full run afterwards shows how much reading the resume saved, and must change nothing.
 */
export const postgresRestartDrill: Drill = {
  name: "postgres-restart",
  async run(context) {
    const subject = await DrillSubject.open(context, {
      name: "pg_restart",
      rooms: context.rooms,
      seed: 11,
      // Slow enough that the crash lands mid-run; small windows so there is progress to resume.
      behaviour: { latencyMs: 5 },
      settings: { maxWindowRooms: 400 },
    });
    try {
      // A dry run reads the pages the real one will: the crash comes at half of them.
      const pages = (await subject.sync({ dryRun: true })).counts.requests;
      const crashAt = Math.ceil(pages / 2);
      let outage: PostgresOutage | undefined;
      const onProgress = (progress: RunProgress) => {
        if (!outage && progress.pages >= crashAt) outage = crashPostgres(context.postgres, DOWN_MS);
      };
      const recovered = await subject.syncUntilSuccess({ deps: { onProgress } });
      if (!outage) throw new Error(`the run ended before page ${crashAt}: no crash happened`);
      await outage.restarted;
      const fresh = await subject.sync();
      context.say(
        `a fresh full run afterwards: ${fresh.counts.requests} requests, ` +
          `${fresh.roomRowsWritten} room rows written`,
      );
      const problems = await subject.verify();
      if (!recovered.resumedFrom) problems.push("the recovering run did not resume the crashed one");
      if (fresh.roomRowsWritten > 0) problems.push(`a quiet run rewrote ${fresh.roomRowsWritten} rooms`);
      return [
        subject.result(
          "1 postgres restart",
          `Postgres crashed at page ${crashAt}/${pages} of a full sync, back ` +
            `${(outage.downMs() / 1000).toFixed(1)} s later; resume found ` +
            `${recovered.counts.roomsUnchanged} rooms committed, read ${recovered.counts.requests} ` +
            `requests (fresh run: ${fresh.counts.requests})`,
          problems,
        ),
      ];
    } finally {
      await subject.close();
    }
  },
};

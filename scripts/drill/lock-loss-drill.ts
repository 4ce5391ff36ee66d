import { describeDifferences } from "../../src/sync/compare-mirror.js";
import type { RunSummary } from "../../src/sync/run-sync.js";
import type { Drill } from "./drill.js";
import { DrillSubject } from "./drill-subject.js";
import { crashPostgres } from "./postgres-outage.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Outcome = { summary: RunSummary } | { error: string };
const settle = (run: Promise<RunSummary>): Promise<Outcome> =>
  run.then(
    (summary) => ({ summary }),
    (error: unknown) => ({
      error: error instanceof Error ? error.message.replace(/\s+/g, " ") : String(error),
    }),
  );
const describe = (outcome: Outcome) =>
  "summary" in outcome
    ? `succeeded (${outcome.summary.counts.roomsDeleted} marked deleted)`
    : `failed: ${outcome.error.slice(0, 120)}`;

/**
 * Drill 5: Postgres restarts while a full run is waiting on slow upstream pages, so the run
 * survives but the connection holding its project lock does not; a second full run is started
 * meanwhile (another worker's job). Two runs of one project at once is what the lock exists to
 * prevent: the second adopts the first's progress as a failed run's, and the first then judges
 * deletions against a seen set that was moved away. Both must end without a wrong mirror.
 */
export const lockLossDrill: Drill = {
  name: "lock-loss",
  async run(context) {
    const subject = await DrillSubject.open(context, {
      name: "lock_loss",
      rooms: context.rooms,
      seed: 17,
      behaviour: { latencyMs: 40 },
    });
    try {
      const pages = (await subject.sync({ dryRun: true })).counts.requests;
      const baseline = subject.requests;
      const first = settle(subject.sync());
      const deadline = Date.now() + 30_000;
      while (subject.requests - baseline < Math.ceil(pages / 8) && Date.now() < deadline) await sleep(10);
      const at = subject.requests - baseline;
      // Pages asked for from now on take 2 s: the run sits waiting on the upstream, not on Postgres.
      subject.sim.setBehaviour({ latencyMs: 2000 });
      await sleep(400);
      const outage = crashPostgres(context.postgres, 200);
      await outage.restarted;
      subject.sim.setBehaviour({ latencyMs: 40 });
      context.say(`Postgres crashed after ${at} of ${pages} pages while the run waited on the upstream`);
      const second = await settle(subject.sync());
      const firstOutcome = await first;
      context.say(`first run ${describe(firstOutcome)}; second run ${describe(second)}`);
      // What the two runs left is the finding; a following full run must then tidy up.
      const afterBoth = await subject.compare();
      const problems = afterBoth.length > 0 ? [`after both runs: ${describeDifferences(afterBoth)}`] : [];
      const next = await subject.sync();
      context.say(
        `the next full run: ${next.counts.roomsUpdated} restored or updated, ${next.counts.roomsDeleted} deleted`,
      );
      problems.push(...(await subject.verify()));
      const firstVerdict =
        "summary" in firstOutcome
          ? "1st succeeded"
          : /Lost the lock/.test(firstOutcome.error)
            ? "1st stopped: lock lost"
            : "1st failed at the crash itself (scenario not reached)";
      return [
        subject.result(
          "5 lock lost",
          `Postgres restarted at page ${at}/${pages} (the lock's connection died), a 2nd full run ` +
            `started: ${firstVerdict}, 2nd ${"summary" in second ? "succeeded" : "failed"}; then a full run`,
          problems,
        ),
      ];
    } finally {
      await subject.close();
    }
  },
};

/**
 * `npm run drill`: fault drills against a Postgres of their own (never the shared one) and the
 * bundled simulator. Each drill breaks something mid-run, lets runs retry, then holds the mirror
 * to compareMirror's definition of exact. Exits 1 if any drill finds a wrong mirror.
 *   npm run drill
 *   npm run drill -- --only postgres-restart,hostile-upstream --rooms 2000
 */
import { parseArgs } from "node:util";

import { table } from "../../src/cli/format-summary.js";
import { describeError } from "../../src/describe-error.js";
import { churnDrill } from "./churn-drill.js";
import { clockSkewDrill } from "./clock-skew-drill.js";
import { compareSelfCheck } from "./compare-self-check.js";
import type { Drill, DrillResult } from "./drill.js";
import { finishOutageDrill } from "./finish-outage-drill.js";
import { hostileUpstreamDrill } from "./hostile-upstream-drill.js";
import { lockLossDrill } from "./lock-loss-drill.js";
import { oversizedBodyDrill } from "./oversized-body-drill.js";
import { poisonedItemsDrill } from "./poisoned-items-drill.js";
import { postgresRestartDrill } from "./postgres-restart-drill.js";
import { startThrowawayPostgres } from "./throwaway-postgres.js";
import { workerDrill } from "./worker-drill.js";

const DRILLS: Drill[] = [
  compareSelfCheck,
  postgresRestartDrill,
  hostileUpstreamDrill,
  finishOutageDrill,
  workerDrill,
  lockLossDrill,
  clockSkewDrill,
  churnDrill,
  poisonedItemsDrill,
  oversizedBodyDrill,
];

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    rooms: { type: "string", default: "3000" },
  },
});
const only = values.only?.split(",").map((name) => name.trim());
const unknown = only?.filter((name) => !DRILLS.some((d) => d.name === name)) ?? [];
if (unknown.length > 0) {
  process.stderr.write(
    `Unknown drill ${unknown.join(", ")}; known: ${DRILLS.map((d) => d.name).join(", ")}\n`,
  );
  process.exit(2);
}
const rooms = Number(values.rooms);
if (!Number.isInteger(rooms) || rooms < 500 || rooms > 50_000) {
  process.stderr.write("--rooms must be an integer from 500 to 50000\n");
  process.exit(2);
}

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)}s`;
process.stdout.write("Starting a throwaway Postgres for the drills (the shared one is never touched)...\n");
const postgres = await startThrowawayPostgres().catch((error: unknown) => {
  // The drills need the server binaries (Debian's postgresql package, as .ci/run installs).
  process.stderr.write(`Could not start a throwaway Postgres: ${String(error)}\n`);
  process.exit(2);
});
process.stdout.write(`  127.0.0.1:${postgres.port}, ready at ${elapsed()}\n`);

const results: DrillResult[] = [];
try {
  for (const drill of DRILLS.filter((d) => !only || only.includes(d.name))) {
    process.stdout.write(`\n== ${drill.name} (${elapsed()})\n`);
    const say = (line: string) => process.stdout.write(`  [${drill.name}] ${line}\n`);
    try {
      if (!postgres.running) await postgres.start();
      results.push(...(await drill.run({ postgres, rooms, say })));
    } catch (error) {
      const message = describeError(error); // bounded: a failed query's parameters can be megabytes
      say(`drill failed: ${message}`);
      results.push({
        drill: drill.name,
        did: "did not finish",
        runsFailed: 0,
        runsSucceeded: 0,
        requests: 0,
        rooms: 0,
        ok: false,
        outcome: `WRONG: ${message}`,
      });
    }
  }
} finally {
  postgres.destroy();
}

process.stdout.write(`\nDrills finished in ${elapsed()}.\n\n`);
process.stdout.write(
  `${table(
    ["drill", "what was done", "runs failed/ok", "requests", "rooms", "result"],
    results.map((r) => [
      r.drill,
      r.did,
      `${r.runsFailed}/${r.runsSucceeded}`,
      r.requests,
      r.rooms,
      r.outcome,
    ]),
  )}\n`,
);
const wrong = results.filter((r) => !r.ok).length;
process.stdout.write(wrong === 0 ? "\nEvery mirror exact.\n" : `\n${wrong} drill(s) found a wrong mirror.\n`);
// Sockets of runs cut off by a drill may linger; the verdict is in, so do not wait for them.
process.exit(wrong === 0 ? 0 : 1);

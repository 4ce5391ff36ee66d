import { randomBytes } from "node:crypto";

import { table } from "../src/cli/format-summary.js";
import { openDatabase } from "../src/db/open-database.js";
import { startSimulator, type Churn } from "../src/simulator/simulator.js";
import { findPhantomDeletions } from "../src/sync/phantom-deletions.js";
import type { RunSummary } from "../src/sync/run-summary.js";
import { BENCH_TOKEN, benchCliEnv, runCli } from "./run-cli.js";

/** About one edit per list request, never a deletion, as in issue 9's report. */
const EDITS: Churn = { perRequest: 1, perSecond: 0, mix: { create: 0, update: 1, delete: 0 } };
const QUIET: Churn = { perRequest: 0, perSecond: 0, mix: { create: 0, update: 1, delete: 0 } };

export interface ChurnBenchOptions {
  rooms: number;
  latencyMs: number;
  /** Creates a database, runs `work` against its URL, drops it (bench/run.ts's). */
  withDatabase: <T>(name: string, work: (url: string) => Promise<T>) => Promise<T>;
}

interface Row {
  scenario: string;
  summary: RunSummary;
  edits: number;
}

/**
 * A full run while rooms are edited at about one per request, next to a quiet full run over the
 * same mirror, through the compiled CLI as users run it. Prints requests against the minimum
 * (one per 100 rooms) and issue 9's targets: quiet within 1.1x, under churn within 2x, and no
 * room marked deleted (the upstream deletes none, so any deletion is a phantom).
 */
export async function benchChurn(options: ChurnBenchOptions): Promise<void> {
  const projectId = `bench-churn-${options.rooms}`;
  process.stderr.write(`bench: a full run under churn, ${options.rooms} rooms...\n`);
  const sim = await startSimulator({
    projectIds: [projectId],
    roomsPerProject: options.rooms,
    seed: 42,
    credentials: { accessKeys: {}, tokens: [BENCH_TOKEN], iamUsers: [] },
    behaviour: { latencyMs: options.latencyMs },
  });
  try {
    const { rows, phantoms } = await options.withDatabase(
      `msync_bench_${randomBytes(3).toString("hex")}`,
      async (url) => {
        const full = async (scenario: string): Promise<Row> => {
          const before = sim.changeCounts(projectId).update;
          const summary = await fullRun(sim.url, projectId, url);
          return { scenario, summary, edits: sim.changeCounts(projectId).update - before };
        };
        const rows = [await full("first full (empty mirror)"), await full("quiet full")];
        sim.setBehaviour({ churn: EDITS });
        rows.push(await full("full under churn (~1 edit/request)"));
        sim.setBehaviour({ churn: QUIET });
        const database = await openDatabase({ databaseUrl: url, embeddedDataDir: "" });
        try {
          const found = await findPhantomDeletions(database.db, projectId, sim.deletedRoomIds(projectId));
          return { rows, phantoms: found.length };
        } finally {
          await database.close();
        }
      },
    );
    printChurn(options.rooms, rows, phantoms);
  } finally {
    await sim.close();
  }
}

async function fullRun(endpoint: string, projectId: string, databaseUrl: string): Promise<RunSummary> {
  const { stdout } = await runCli(
    ["sync", "--full", "--json"],
    benchCliEnv(endpoint, projectId, databaseUrl),
  );
  const [summary] = JSON.parse(stdout) as RunSummary[];
  if (!summary) throw new Error(`sync printed no summary: ${stdout}`);
  return summary;
}

function printChurn(rooms: number, rows: Row[], phantoms: number): void {
  const minimum = Math.ceil(rooms / 100);
  const quiet = rows[1]!.summary.counts.requests;
  const churned = rows[2]!;
  const ratio = (requests: number) => requests / minimum;
  const verdict = (ok: boolean) => (ok ? "met" : "MISSED");
  process.stdout.write(`\nFull runs under churn: ${rooms} rooms, minimum ${minimum} requests\n`);
  process.stdout.write(
    `${table(
      ["scenario", "requests", "x minimum", "edits during it", "updated", "deleted", "wall ms"],
      rows.map(({ scenario, summary, edits }) => [
        scenario,
        summary.counts.requests,
        ratio(summary.counts.requests).toFixed(2),
        edits,
        summary.counts.roomsUpdated,
        summary.counts.roomsDeleted,
        Math.round(summary.durationMs),
      ]),
    )}\n`,
  );
  const churnedRequests = churned.summary.counts.requests;
  process.stdout.write(
    `\n${table(
      ["target", "measured", ""],
      [
        ["quiet full run <= 1.1 x minimum", `${ratio(quiet).toFixed(2)} x`, verdict(ratio(quiet) <= 1.1)],
        [
          "full run under churn <= 2 x minimum",
          `${ratio(churnedRequests).toFixed(2)} x (${(churnedRequests / quiet).toFixed(1)} x the quiet run)`,
          verdict(ratio(churnedRequests) <= 2),
        ],
        [
          "no phantom deletion",
          `${phantoms} rooms marked deleted, none deleted upstream`,
          verdict(phantoms === 0),
        ],
      ],
    )}\n`,
  );
}

/**
 * What `npm run bench` concludes: the engine next to the machine's limit measured in the same
 * run, and the targets. Targets are judged on ratios within one run wherever one exists, so a
 * loaded or slower machine moves both sides of a verdict; the absolute ones say so.
 */
import { table } from "../src/cli/format-summary.js";
import type { Limits } from "./limits.js";
import type { ScenarioResult } from "./scenarios.js";

export type Results = ReadonlyMap<string, ScenarioResult>;

const mb = (value: number | undefined) => (value === undefined ? "-" : value);
const cpu = (seconds: number | undefined) => (seconds === undefined ? "-" : seconds.toFixed(1));
const times = (ratio: number) => `${ratio.toFixed(2)}x`;
const verdict = (ok: boolean) => (ok ? "met" : "MISSED");

/** What a limits-table row shows of one measurement; Postgres CPU only where it was metered. */
interface Measured {
  wallMs: number;
  cpuSeconds: number | undefined;
  postgresCpuSeconds?: number | undefined;
  peakRssMb: number | undefined;
}

/** Per size: the engine's full sync, fetch-only and COPY side by side, with the engine's ratios. */
export function limitsTable(results: Results, limits: ReadonlyMap<number, Limits>): string {
  const rows: Array<Array<string | number>> = [];
  for (const [rooms, limit] of limits) {
    const full = results.get(`metastudio-sync/${rooms}/full`);
    if (!full) continue;
    // One row per measurement of the same rooms, timed against the engine's full sync.
    const row = (what: string, m: Measured) => [
      rooms,
      what,
      Math.round(m.wallMs),
      Math.round(rooms / (m.wallMs / 1000)),
      cpu(m.cpuSeconds),
      cpu(m.postgresCpuSeconds),
      mb(m.peakRssMb),
      times(full.wallMs / m.wallMs),
    ];
    rows.push(
      row("sync --full (the engine)", { ...full, cpuSeconds: full.nodeCpuSeconds }),
      row(`fetch and parse only (${limit.fetchOnly.requests} requests)`, limit.fetchOnly),
      row("sync --full --dry-run (no writes)", limit.dryRun),
      row(`COPY of the same ${limit.copy.rows} rows`, limit.copy),
    );
  }
  return table(
    [
      "rooms",
      "what",
      "wall ms",
      "rooms/s",
      "node CPU s",
      "Postgres CPU s",
      "peak RSS MB",
      "engine time / this",
    ],
    rows,
  );
}

/** Requests an incremental run needs after `rooms / 100` rooms changed: their pages plus one. */
const incrementalMinimum = (rooms: number) => Math.ceil(Math.ceil(rooms / 100) / 100) + 1;

/** The targets, judged on the largest size run (and on 20k and 100k where they ran). */
export function targetsTable(
  results: Results,
  limits: ReadonlyMap<number, Limits>,
  sizes: number[],
  latencyMs: number,
): string {
  const largest = Math.max(...sizes);
  const full = results.get(`metastudio-sync/${largest}/full`);
  const again = results.get(`metastudio-sync/${largest}/full again`);
  const quiet = results.get(`metastudio-sync/${largest}/quiet`);
  const incremental = results.get(`metastudio-sync/${largest}/incremental 1%`);
  if (!full || !again || !quiet || !incremental) return "";
  const limit = limits.get(largest);
  const rows: Array<Array<string | number>> = [];
  if (limit) {
    // The limit is the slower side: COPY, unless reading the pages takes longer than writing them.
    const ratio = full.wallMs / Math.max(limit.copy.wallMs, limit.fetchOnly.wallMs);
    rows.push([
      "full sync within 1.2x of the in-run limit",
      times(ratio),
      verdict(ratio <= 1.2),
      whereTheTimeWent(full, limit, latencyMs),
    ]);
  }
  const rate = Math.round(largest / (full.wallMs / 1000));
  rows.push(["full sync >= 9000 rooms/s (absolute)", `${rate} rooms/s`, verdict(rate >= 9000), ""]);
  if (full.nodeCpuSeconds !== undefined) {
    const per100k = (cpuSeconds: number) => (cpuSeconds * 100_000) / largest;
    // A quiet run's process is start-up, two requests and exit: what the full run pays besides
    // its rooms, so what is left is the rooms' own cost.
    const quietCpu = quiet.nodeCpuSeconds;
    const rest =
      quietCpu === undefined
        ? ""
        : `: a quiet run's process took ${quietCpu.toFixed(1)} s, the rooms ${per100k(full.nodeCpuSeconds - quietCpu).toFixed(1)} s per 100k`;
    // The dry run reads, validates, hashes and decides as the full run does, and writes nothing.
    const dryCpu = limit?.dryRun.cpuSeconds;
    const split =
      dryCpu === undefined
        ? ""
        : `; without its writes (--dry-run) ${per100k(dryCpu).toFixed(1)} s, so the writes ${per100k(full.nodeCpuSeconds - dryCpu).toFixed(1)} s`;
    rows.push([
      "node CPU <= 5 s per 100k rooms (absolute)",
      `${per100k(full.nodeCpuSeconds).toFixed(1)} s`,
      verdict(per100k(full.nodeCpuSeconds) <= 5),
      `start-up included${rest}${split}; see fetch-only and COPY's node CPU above for the floor`,
    ]);
  }
  for (const [rooms, wanted] of [
    [20_000, 8],
    [100_000, 12],
  ] as const) {
    const ours = results.get(`metastudio-sync/${rooms}/full`);
    const naive = results.get(`naive/${rooms}/full`);
    if (!ours || !naive || ours.processWallMs === undefined) continue;
    const speedUp = naive.wallMs / ours.processWallMs;
    // The process's time outside its run: Node's start, loading the CLI, opening the database,
    // and exiting. The naive script runs in the bench's own process and pays none of it.
    const outside = Math.max(0, ours.processWallMs - ours.wallMs);
    rows.push([
      `>= ${wanted}x the naive script at ${rooms} rooms`,
      `${speedUp.toFixed(1)}x`,
      verdict(speedUp >= wanted),
      `start-up included: ${Math.round(outside)} of ${Math.round(ours.processWallMs)} ms outside the run` +
        ` (the run alone: ${(naive.wallMs / ours.wallMs).toFixed(1)}x)`,
    ]);
  }
  const minimum = Math.ceil(largest / 100);
  for (const run of [full, again]) {
    const ratio = run.requests / minimum;
    const name = run === full ? "full sync" : "full again";
    rows.push([`${name} requests <= 1.2 x minimum`, times(ratio), verdict(ratio <= 1.2), ""]);
  }
  rows.push([
    "full again writes no room rows",
    `${again.roomRows} room rows, ${again.voiceRows} voice rows`,
    verdict(again.roomRows === 0 && again.voiceRows === 0),
    "nothing changed upstream since the first full run",
  ]);
  rows.push(peakRssRow([full, again], quiet, limit));
  rows.push([
    "quiet run <= 2 requests, no room writes",
    `${quiet.requests} requests, ${quiet.roomRows} rows`,
    verdict(quiet.requests <= 2 && quiet.roomRows === 0),
    quiet.requests > 2 ? "the extra request probes what the time filter applies to" : "",
  ]);
  const wanted = incrementalMinimum(largest);
  rows.push([
    `incremental 1% <= ${wanted} requests`,
    `${incremental.requests} requests`,
    verdict(incremental.requests <= wanted),
    "",
  ]);
  return table(["target", "measured", "", "where it went"], rows);
}

/**
 * Peak RSS judged on the highest of every full run, since a second full run over a complete
 * mirror can peak above the first (its writer has nothing to write but still gets every page).
 */
function peakRssRow(fullRuns: ScenarioResult[], quiet: ScenarioResult, limit: Limits | undefined) {
  const highest = fullRuns.reduce((a, b) => ((b.peakRssMb ?? 0) > (a.peakRssMb ?? 0) ? b : a));
  const each = fullRuns.map((run) => `${run.scenario} ${mb(run.peakRssMb)} MB`).join(", ");
  return [
    "peak RSS <= 160 MB with default settings, every full run",
    `${mb(highest.peakRssMb)} MB (${highest.scenario})`,
    verdict((highest.peakRssMb ?? 0) <= 160),
    `${each}; quiet run ${mb(quiet.peakRssMb)} MB; fetch-only ${mb(limit?.fetchOnly.peakRssMb)} MB`,
  ];
}

/** Where a full sync's time goes beyond the limit: node, Postgres, or waiting on the upstream. */
function whereTheTimeWent(full: ScenarioResult, limit: Limits, latencyMs: number): string {
  const parts: string[] = [];
  if (full.nodeCpuSeconds !== undefined) {
    parts.push(
      `node CPU ${cpu(full.nodeCpuSeconds)} s vs COPY ${cpu(limit.copy.cpuSeconds)} s + fetch ${cpu(limit.fetchOnly.cpuSeconds)} s`,
    );
  }
  if (full.postgresCpuSeconds !== undefined) {
    parts.push(
      `Postgres CPU ${cpu(full.postgresCpuSeconds)} s vs COPY ${cpu(limit.copy.postgresCpuSeconds)} s`,
    );
  }
  if (limit.fetchOnly.wallMs > limit.copy.wallMs) {
    parts.push(
      `reading is the limit here: fetch-only takes ${Math.round(limit.fetchOnly.wallMs)} ms at ${latencyMs} ms a response`,
    );
  }
  return parts.join("; ");
}

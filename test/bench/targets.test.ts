import { describe, expect, it } from "vitest";

import type { Limits } from "../../bench/limits.js";
import type { Scenario, ScenarioResult } from "../../bench/scenarios.js";
import { limitsTable, targetsTable } from "../../bench/targets.js";

const ROOMS = 100_000;

function result(scenario: Scenario, overrides: Partial<ScenarioResult> = {}): ScenarioResult {
  return {
    impl: "metastudio-sync",
    scenario,
    wallMs: 10_000,
    requests: scenario === "quiet" ? 2 : scenario === "incremental 1%" ? 11 : 1_050,
    roomRows: 0,
    voiceRows: 0,
    peakRssMb: 120,
    ...overrides,
  };
}

function targets(...runs: ScenarioResult[]): Map<string, string> {
  const results = new Map(runs.map((run) => [`${run.impl}/${ROOMS}/${run.scenario}`, run]));
  const table = targetsTable(results, new Map(), [ROOMS], 20);
  return byTarget(table);
}

function byTarget(table: string): Map<string, string> {
  // One line per target: its name, then what was measured and the verdict.
  return new Map(
    table
      .split("\n")
      .slice(1)
      .map((line) => {
        const [name, rest] = line.split(/ {2,}(.*)/s);
        return [name!, rest!];
      }),
  );
}

const healthy = () => [
  result("full", { roomRows: ROOMS, voiceRows: 150_000, peakRssMb: 140 }),
  result("full again"),
  result("quiet"),
  result("incremental 1%"),
];

describe("targetsTable", () => {
  it("judges peak RSS on the highest full run and names it", () => {
    const [full, , quiet, incremental] = healthy();
    const rows = targets(full!, result("full again", { peakRssMb: 278 }), quiet!, incremental!);
    const rss = rows.get("peak RSS <= 160 MB with default settings, every full run");
    expect(rss).toMatch(/^278 MB \(full again\) +MISSED +full 140 MB, full again 278 MB;/);
  });

  it("meets peak RSS when every full run stays under 160 MB", () => {
    const rss = targets(...healthy()).get("peak RSS <= 160 MB with default settings, every full run");
    expect(rss).toMatch(/^140 MB \(full\) +met /);
  });

  it("misses 'full again writes no room rows' when the second full run rewrites rooms", () => {
    const [full, , quiet, incremental] = healthy();
    const rows = targets(full!, result("full again", { roomRows: 12, voiceRows: 0 }), quiet!, incremental!);
    expect(rows.get("full again writes no room rows")).toMatch(/^12 room rows, 0 voice rows +MISSED/);
    expect(targets(...healthy()).get("full again writes no room rows")).toMatch(/ met /);
  });

  it("judges the second full run's requests against 1.2 x the minimum on their own", () => {
    const [full, , quiet, incremental] = healthy();
    const rows = targets(full!, result("full again", { requests: 1_300 }), quiet!, incremental!);
    expect(rows.get("full again requests <= 1.2 x minimum")).toMatch(/^1\.30x +MISSED/);
    expect(rows.get("full sync requests <= 1.2 x minimum")).toMatch(/^1\.05x +met/);
  });

  it("says how much of the CLI's time against the naive script was spent outside its run", () => {
    const [, again, quiet, incremental] = healthy();
    const ours = result("full", { roomRows: ROOMS, wallMs: 8_000, processWallMs: 8_500 });
    const naive = result("full", { impl: "naive", wallMs: 100_000 });
    const results = new Map(
      [ours, again!, quiet!, incremental!, naive].map((run) => [`${run.impl}/${ROOMS}/${run.scenario}`, run]),
    );
    const rows = byTarget(targetsTable(results, new Map(), [ROOMS], 20));
    expect(rows.get(">= 12x the naive script at 100000 rooms")).toMatch(
      /^11\.8x +MISSED +start-up included: 500 of 8500 ms outside the run \(the run alone: 12\.5x\)$/,
    );
  });

  it("says how much of node's CPU was the rooms', a quiet run's process being the rest", () => {
    const [, again, , incremental] = healthy();
    const full = result("full", { roomRows: ROOMS, nodeCpuSeconds: 6.3 });
    const quiet = result("quiet", { nodeCpuSeconds: 0.6 });
    const rows = targets(full, again!, quiet, incremental!);
    expect(rows.get("node CPU <= 5 s per 100k rooms (absolute)")).toMatch(
      /^6\.3 s +MISSED +start-up included: a quiet run's process took 0\.6 s, the rooms 5\.7 s per 100k; /,
    );
  });

  it("splits node's CPU into the run without its writes (the dry run) and the writes", () => {
    const [, again, , incremental] = healthy();
    const full = result("full", { roomRows: ROOMS, nodeCpuSeconds: 6.9 });
    const quiet = result("quiet", { nodeCpuSeconds: 0.4 });
    const runs = [full, again!, quiet, incremental!];
    const results = new Map(runs.map((run) => [`${run.impl}/${ROOMS}/${run.scenario}`, run]));
    const limit: Limits = {
      fetchOnly: { rooms: ROOMS, requests: 1_000, wallMs: 4_000, cpuSeconds: 2.2, peakRssMb: 90 },
      copy: {
        rooms: ROOMS,
        rows: 350_000,
        wallMs: 11_000,
        cpuSeconds: 3,
        postgresCpuSeconds: 8,
        peakRssMb: 400,
      },
      dryRun: { wallMs: 6_500, cpuSeconds: 5.8, peakRssMb: 126 },
    };
    const rows = byTarget(targetsTable(results, new Map([[ROOMS, limit]]), [ROOMS], 20));
    expect(rows.get("node CPU <= 5 s per 100k rooms (absolute)")).toMatch(
      /^6\.9 s +MISSED +start-up included: .*; without its writes \(--dry-run\) 5\.8 s, so the writes 1\.1 s; /,
    );
  });

  it("puts every limit beside the engine's full sync with its ratio, '-' where nothing was metered", () => {
    const full = result("full", {
      wallMs: 13_000,
      nodeCpuSeconds: 9.3,
      postgresCpuSeconds: 14.2,
      peakRssMb: 134,
    });
    const limit: Limits = {
      fetchOnly: { rooms: ROOMS, requests: 1_000, wallMs: 4_000, cpuSeconds: 3, peakRssMb: 117 },
      copy: {
        rooms: ROOMS,
        rows: 350_385,
        wallMs: 14_500,
        cpuSeconds: 12.4,
        postgresCpuSeconds: 12,
        peakRssMb: 304,
      },
      dryRun: { wallMs: 6_500, cpuSeconds: 7, peakRssMb: 133 },
    };
    const lines = limitsTable(new Map([[`metastudio-sync/${ROOMS}/full`, full]]), new Map([[ROOMS, limit]]))
      .split("\n")
      .slice(1);
    expect(lines[0]).toMatch(/sync --full \(the engine\) +13000 +7692 +9\.3 +14\.2 +134 +1\.00x$/);
    expect(lines[1]).toMatch(/fetch and parse only \(1000 requests\) +4000 +25000 +3\.0 +- +117 +3\.25x$/);
    expect(lines[2]).toMatch(/sync --full --dry-run \(no writes\) +6500 +15385 +7\.0 +- +133 +2\.00x$/);
    expect(lines[3]).toMatch(/COPY of the same 350385 rows +14500 +6897 +12\.4 +12\.0 +304 +0\.90x$/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { runSync, type RunProgress } from "../../src/sync/run-sync.js";
import { startHarness, type Harness } from "../support/sync-harness.js";
import { useTestDatabase } from "../support/use-test-database.js";

const database = useTestDatabase();
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness(database, { projectIds: ["p-total"], roomsPerProject: 1000 });
});
afterAll(async () => {
  await harness.close();
});

/** A full run, with every progress report it made. */
async function fullRun(): Promise<RunProgress[]> {
  const reports: RunProgress[] = [];
  await runSync(
    {
      database,
      client: harness.client,
      logger: harness.logger,
      settings: harness.settings,
      onProgress: (p) => reports.push(p),
    },
    { projectId: "p-total", mode: "full", trigger: "cli" },
  );
  return reports;
}

describe("run progress", () => {
  it("reports the upstream's total from the first page, before most rooms are read", async () => {
    const reports = await fullRun();
    expect(reports[0]).toMatchObject({ reported: 1000, windowsReported: 1, windowsPlanned: 1 });
    expect(reports[0]!.rooms).toBeLessThan(1000);
    expect(reports.at(-1)).toMatchObject({ rooms: 1000, reported: 1000 });
  });

  it("sums the counts of a run planned in many windows, each once", async () => {
    // The second full run is cut by the mirror's rooms into windows of about a page each.
    const reports = await fullRun();
    const last = reports.at(-1)!;
    expect(last.windowsPlanned).toBeGreaterThan(5);
    expect(last.windowsReported).toBe(last.windowsPlanned);
    expect(last.reported).toBe(1000);
    // Midway, some windows have reported and the rest are still planned.
    expect(reports.some((p) => p.windowsReported! < p.windowsPlanned!)).toBe(true);
  });
});

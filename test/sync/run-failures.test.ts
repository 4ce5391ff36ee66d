import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { syncRequests, syncRuns, syncState } from "../../src/db/schema.js";
import { runSync } from "../../src/sync/run-sync.js";
import { liveRooms } from "../support/sync-harness.js";
import { useSyncHarness } from "../support/use-sync-harness.js";

const sync = useSyncHarness();

async function runRow(runId: string) {
  const [row] = await sync.database.db.select().from(syncRuns).where(eq(syncRuns.id, runId));
  return row!;
}

describe("a run that does not finish", () => {
  it("records a failed filter probe as failed, with its error and its request rows", async () => {
    await sync.start({
      projectIds: ["p-probe"],
      roomsPerProject: 300,
      client: { maxAttempts: 1 },
    });
    expect((await sync.harness.run("p-probe")).status).toBe("succeeded");
    // The full run probed already; as if its probe had learned nothing, the next run probes.
    await sync.database.db
      .update(syncState)
      .set({ filterField: null })
      .where(eq(syncState.projectId, "p-probe"));
    sync.harness.sim.setBehaviour({ error5xxRate: 1 });
    await expect(sync.harness.run("p-probe", { mode: "incremental" })).rejects.toThrow(/MSS\.00000004/);
    const runs = await sync.database.db.select().from(syncRuns).where(eq(syncRuns.projectId, "p-probe"));
    const failed = runs.find((run) => run.mode === "incremental")!;
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/MSS\.00000004/);
    const requests = await sync.database.db
      .select()
      .from(syncRequests)
      .where(eq(syncRequests.runId, failed.id));
    expect(requests.length).toBeGreaterThan(0);
    expect(requests[0]!.status).toBe(500);
    // The probe's own request: a three-second window around a mirrored room's update_time.
    expect(requests[0]!.endTime!.getTime() - requests[0]!.startTime!.getTime()).toBe(2000);
  });

  it("records an interrupted run with the rooms it committed and why it stopped", async () => {
    const h = await sync.start({ projectIds: ["p-abort"], roomsPerProject: 2000 });
    const controller = new AbortController();
    let runId: string | undefined;
    await expect(
      runSync(
        {
          database: sync.database,
          client: h.client,
          logger: h.logger,
          settings: { ...h.settings, pageConcurrency: 1, batchSize: 100 },
          signal: controller.signal,
          onProgress: (progress) => {
            if (progress.pages >= 8) controller.abort("SIGINT");
          },
        },
        { projectId: "p-abort", mode: "full", trigger: "cli" },
      ).catch(async (error: unknown) => {
        const [row] = await sync.database.db.select().from(syncRuns).where(eq(syncRuns.projectId, "p-abort"));
        runId = row?.id;
        throw error;
      }),
    ).rejects.toBeDefined();
    const row = await runRow(runId!);
    const stored = (await liveRooms(sync.database, "p-abort")).size;
    expect(row.status).toBe("failed");
    expect(row.error).toBe("interrupted by SIGINT");
    expect(stored).toBeGreaterThan(0);
    expect(row.roomsInserted).toBe(stored);
    expect(row.roomsSeen).toBe(stored);
    // A full run still resumes what the interrupted one completed.
    const resumed = await h.run("p-abort");
    expect(resumed.resumedFrom).toBe(runId);
  });
});

import { gte } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { syncRunWindows } from "../../src/db/schema.js";
import { finishRun, insertRun } from "../../src/db/sync-runs.js";
import type { MetaStudioClient } from "../../src/metastudio/metastudio-client.js";
import { describePhantomDeletions, findPhantomDeletions } from "../../src/sync/phantom-deletions.js";
import { PostgresLedger } from "../../src/sync/postgres-ledger.js";
import { runSync } from "../../src/sync/run-sync.js";
import { useSyncHarness } from "../support/use-sync-harness.js";

const sync = useSyncHarness();

type List = MetaStudioClient["listSmartChatRooms"];

describe("a failed full run resumed while the upstream's clock is behind ours", () => {
  // Behind by more than the tolerance (300 s), an edit made during a run is stamped inside a
  // settled window, possibly one the run already completed. Its own closing read starts early
  // enough to see it; but when the run failed, the run resuming it half an hour later skipped
  // that window and started its closing read from its own start: the room, moved out of a window
  // not read yet into one already completed, was never read and was recorded deleted.
  // Behind by less than the tolerance (the control), the edit lands after the settled span.
  for (const offset of [-600, -200]) {
    it(`behind by ${-offset} s: the run resuming it reads a room edited during it`, async () => {
      const project = `p-resume-behind-${-offset}`;
      let shift = 0;
      const now = () => new Date(Date.now() + shift);
      const h = await sync.start({
        projectIds: [project],
        roomsPerProject: 300,
        now,
        // The upstream sends a Date header, so the offset is measured.
        behaviour: { clockOffsetSeconds: offset },
      });
      const deps = (client: { listSmartChatRooms: List }) => ({
        database: sync.database,
        client,
        logger: h.logger,
        now,
        // A room per batch: a window is recorded complete as soon as it is read, not at the flush.
        settings: { ...h.settings, pageConcurrency: 2, batchSize: 1 },
      });
      const job = { projectId: project, mode: "full" as const, trigger: "cli" as const };
      expect((await runSync(deps(h.client), job)).status).toBe("succeeded");

      const sorted = [...h.sim.rooms(project)].sort((a, b) =>
        String(a.update_time).localeCompare(String(b.update_time)),
      );
      const mover = sorted[0]!; // in the oldest planned window
      const newest = new Date(String(sorted.at(-1)!.update_time));
      // A full run whose oldest window waits until the window holding the newest room is
      // recorded complete, then the mover is edited (stamped into that window) and the run fails.
      const client = {
        listSmartChatRooms: (async (query, options) => {
          if (query.startTime === "1970-01-01T00:00:00Z") {
            await newestWindowDone(newest);
            h.sim.updateRoom(project, String(mover.room_id), { room_name: "edited during the run" });
            throw new Error("upstream unreachable (simulated)");
          }
          return h.client.listSmartChatRooms(query, options);
        }) as List,
      };
      await expect(runSync(deps(client), job)).rejects.toThrow(/unreachable/);

      shift += 1800_000; // half an hour later
      const resumed = await runSync(deps(h.client), job);
      expect(resumed.status).toBe("succeeded");
      expect(resumed.resumedFrom).not.toBeNull();
      const phantoms = await findPhantomDeletions(sync.database.db, project, h.sim.deletedRoomIds(project));
      expect(phantoms, describePhantomDeletions(phantoms)).toEqual([]);
    });
  }
});

describe("the failed full run a full run resumes", () => {
  // A run resuming a run that itself resumed one holds the windows of both: its closing read
  // must start from the first one's start.
  it("comes with the start of the earliest run of its resume chain", async () => {
    const db = sync.database.db;
    const projectId = "p-resume-chain";
    const first = new Date("2026-03-01T10:00:00Z");
    const second = new Date("2026-03-01T10:30:00Z");
    const failed = { status: "failed" as const, error: "upstream unreachable" };
    const run = async (startedAt: Date, resumedFrom: string | null) => {
      const id = await insertRun(db, {
        projectId,
        mode: "full",
        trigger: "cli",
        startedAt,
        windowStart: null,
        windowEnd: null,
        resumedFrom,
      });
      await finishRun(db, id, { ...failed, finishedAt: new Date(startedAt.getTime() + 60_000) });
      return id;
    };
    const ledger = new PostgresLedger(db);
    const notBefore = new Date("2026-02-28T10:00:00Z");

    const a = await run(first, null);
    expect(await ledger.findResumable(projectId, notBefore)).toEqual({ id: a, chainStartedAt: first });
    const b = await run(second, a);
    expect(await ledger.findResumable(projectId, notBefore)).toEqual({ id: b, chainStartedAt: first });
  });
});

/** Waits until some run recorded complete a window ending at or after `at`. */
async function newestWindowDone(at: Date): Promise<void> {
  for (let i = 0; i < 1000; i += 1) {
    const done = await sync.database.db
      .select({ runId: syncRunWindows.runId })
      .from(syncRunWindows)
      .where(gte(syncRunWindows.windowEnd, at))
      .limit(1);
    if (done.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("the window holding the newest room was never recorded complete");
}

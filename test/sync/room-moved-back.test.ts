import { Writable } from "node:stream";

import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { smartChatRoomChanges } from "../../src/db/schema.js";
import { createLogger } from "../../src/logger.js";
import type { MetaStudioClient } from "../../src/metastudio/metastudio-client.js";
import { findPhantomDeletions } from "../../src/sync/phantom-deletions.js";
import { runSync } from "../../src/sync/run-sync.js";
import { expectExactMirror, liveRooms, type Harness } from "../support/sync-harness.js";
import { useSyncHarness } from "../support/use-sync-harness.js";

const sync = useSyncHarness();

type List = MetaStudioClient["listSmartChatRooms"];

/** The harness's client, with a hook before each list request (its number, from 1). */
function hooked(client: MetaStudioClient, before: (n: number) => void) {
  let n = 0;
  return {
    listSmartChatRooms: ((query, options) => {
      n += 1;
      before(n);
      return client.listSmartChatRooms(query, options);
    }) as List,
  };
}

function byUpdate(rooms: Record<string, unknown>[]) {
  return [...rooms].sort((a, b) => String(a.update_time).localeCompare(String(b.update_time)));
}

/** Log lines at warn and above, as parsed records. */
function warnings() {
  const lines: { msg: string; level: number; [key: string]: unknown }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean))
        lines.push(JSON.parse(line) as (typeof lines)[number]);
      done();
    },
  });
  return { logger: createLogger("warn", sink), lines };
}

/**
 * Audit F3: settled windows are assumed only to lose rooms while they are read. The upstream
 * moves the newest room's update_time back into the oldest window just after the run read it:
 * the room is in no window read afterwards, nor in the closing read.
 */
async function runWithRoomMovedBack(h: Harness, project: string, job: { dryRun?: boolean } = {}) {
  const sorted = byUpdate(h.sim.rooms(project));
  const mover = sorted.at(-1)!; // in the newest planned window
  const client = hooked(h.client, (n) => {
    // After the oldest window's single page (request 1): move the newest room back into it.
    if (n === 2) h.sim.updateRoom(project, String(mover.room_id), { update_time: sorted[1]!.update_time });
  });
  const { logger, lines } = warnings();
  const run = await runSync(
    { database: sync.database, client, logger, settings: { ...h.settings, pageConcurrency: 1 } },
    { projectId: project, mode: "full", trigger: "cli", ...job },
  );
  return { run, mover: String(mover.room_id), warnings: lines };
}

describe("a room moved back into a window the run already read", () => {
  it("judges no deletion that run, and the next full run judges them exactly", async () => {
    const project = "p-moved-back";
    const h = await sync.start({ projectIds: [project], roomsPerProject: 300 });
    expect((await h.run(project)).status).toBe("succeeded");
    // A real deletion before the run: the guarded run leaves it to the next full run.
    const gone = String(byUpdate(h.sim.rooms(project))[150]!.room_id);
    h.sim.deleteRoom(project, gone);

    const { run, mover, warnings: logged } = await runWithRoomMovedBack(h, project);
    expect(run.status).toBe("succeeded");
    expect(run.counts.roomsDeleted).toBe(0);
    const deletedRows = await sync.database.db
      .select()
      .from(smartChatRoomChanges)
      .where(and(eq(smartChatRoomChanges.projectId, project), eq(smartChatRoomChanges.change, "deleted")));
    expect(deletedRows).toEqual([]);
    expect((await liveRooms(sync.database, project)).has(mover)).toBe(true);
    const warning = logged.find((l) => l.msg.includes("a room moved into a window the run had already read"));
    expect(warning).toMatchObject({ listed: 299, seen: 298, items_without_id: 0 });

    // Nothing moves now: the next full run reads the room where it is and judges the deletion.
    const next = await h.run(project);
    expect(next.counts.roomsDeleted).toBe(1);
    await expectExactMirror(sync.database, h.sim, project);
    const phantoms = await findPhantomDeletions(sync.database.db, project, h.sim.deletedRoomIds(project));
    expect(phantoms).toEqual([]);
  });

  it("previews no deletion in a dry run either", async () => {
    const project = "p-moved-back-dry";
    const h = await sync.start({ projectIds: [project], roomsPerProject: 300 });
    expect((await h.run(project)).status).toBe("succeeded");
    const { run, mover, warnings: logged } = await runWithRoomMovedBack(h, project, { dryRun: true });
    expect(run.status).toBe("succeeded");
    expect(run.counts.roomsDeleted).toBe(0);
    expect(run.preview.filter((c) => c.change === "deleted").map((c) => c.roomId)).not.toContain(mover);
    expect(logged.some((l) => l.msg.includes("the next full run judges deletions"))).toBe(true);
  });

  it("a count lying high only defers the run's deletions; the run succeeds", async () => {
    const project = "p-moved-back-lying";
    const h = await sync.start({ projectIds: [project], roomsPerProject: 300 });
    expect((await h.run(project)).status).toBe("succeeded");
    const gone = String(h.sim.rooms(project)[0]!.room_id);
    h.sim.deleteRoom(project, gone);
    const client = {
      listSmartChatRooms: ((query, options) => {
        // The unfiltered one-room request: answered with a count of rooms that do not exist.
        if (query.limit === 1 && query.startTime === undefined) {
          h.sim.hostile.once("list", { kind: "page", body: { count: 5000, smart_chat_rooms: [] } });
        }
        return h.client.listSmartChatRooms(query, options);
      }) as List,
    };
    const { logger, lines } = warnings();
    const run = await runSync(
      { database: sync.database, client, logger, settings: h.settings },
      { projectId: project, mode: "full", trigger: "cli" },
    );
    expect(run.status).toBe("succeeded");
    expect(run.counts.roomsDeleted).toBe(0);
    expect(lines.find((l) => l.msg.includes("judges no deletions"))).toMatchObject({ listed: 5000 });
    expect((await h.run(project)).counts.roomsDeleted).toBe(1);
    await expectExactMirror(sync.database, h.sim, project);
  });

  it("costs a quiet full run one request, and judges its deletions", async () => {
    const project = "p-moved-back-quiet";
    const h = await sync.start({ projectIds: [project], roomsPerProject: 300 });
    expect((await h.run(project)).status).toBe("succeeded");
    const gone = String(h.sim.rooms(project)[0]!.room_id);
    h.sim.deleteRoom(project, gone);
    const before = h.sim.requests.length;
    const full = await h.run(project, {}, { pageConcurrency: 1 });
    expect(full.counts.roomsDeleted).toBe(1);
    const unfiltered = h.sim.requests.slice(before).filter((r) => r.query.limit === "1");
    expect(unfiltered).toHaveLength(1);
    expect(unfiltered[0]!.query).not.toHaveProperty("start_time");
    await expectExactMirror(sync.database, h.sim, project);
    const incremental = await h.run(project, { mode: "incremental" });
    expect(incremental.counts.requests).toBe(2);
  });
});

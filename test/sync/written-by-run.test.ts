import { randomUUID } from "node:crypto";

import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { countUnseenLive, markUnseenDeleted } from "../../src/db/mark-deleted.js";
import { adoptRunProgress } from "../../src/db/run-windows.js";
import { syncRuns } from "../../src/db/schema.js";
import { countSeenRooms } from "../../src/db/seen-rooms.js";
import type { SmartChatRoom } from "../../src/metastudio/room-schema.js";
import { applyRoomBatch, prepareRoom } from "../../src/sync/apply-room-batch.js";
import { useTestDatabase } from "../support/use-test-database.js";
import { insertTestRun } from "../support/insert-test-run.js";

const database = useTestDatabase();

const room = (id: string, name = `room ${id}`): SmartChatRoom => ({
  room_id: id,
  room_name: name,
  update_time: "2025-01-01T00:00:00Z",
});

async function write(projectId: string, runId: string, rooms: SmartChatRoom[]) {
  return applyRoomBatch(database.db, {
    projectId,
    runId,
    observedAt: new Date(),
    rooms: rooms.map((r) => prepareRoom(r, "req")),
  });
}

async function fullRun(projectId: string, status: "running" | "failed" = "running"): Promise<string> {
  const id = await insertTestRun(database.db, { projectId });
  if (status === "failed") await database.db.update(syncRuns).set({ status }).where(eq(syncRuns.id, id));
  return id;
}

describe("a written room is its run's sighting", () => {
  it("counts as seen without a seen row, and an unchanged room still gets one", async () => {
    const run = await fullRun("p-stamp");
    await write("p-stamp", run, [room("a"), room("b")]);
    const seenRows = await database.pool.query(
      "select count(*)::int as n from sync_seen_rooms where run_id = $1",
      [run],
    );
    expect(seenRows.rows[0].n).toBe(0);
    expect(await countUnseenLive(database.db, "p-stamp", run)).toEqual({ live: 2, unseen: 0 });
    const next = await fullRun("p-stamp");
    await write("p-stamp", next, [room("a")]);
    expect(await countSeenRooms(database.db, next)).toBe(1);
    expect(await countUnseenLive(database.db, "p-stamp", next)).toEqual({ live: 2, unseen: 1 });
  });

  it("survives a rewrite by another run before a failed full run is resumed", async () => {
    const failed = await fullRun("p-resume");
    await write("p-resume", failed, [room("a"), room("b")]);
    await database.db.update(syncRuns).set({ status: "failed" }).where(eq(syncRuns.id, failed));
    // An incremental run between the failure and the resume rewrites `a`, replacing its stamp.
    await write("p-resume", randomUUID(), [room("a", "renamed")]);
    const resumer = await fullRun("p-resume");
    await adoptRunProgress(database.db, { projectId: "p-resume", fromRunId: failed, toRunId: resumer });
    // The resumer skips the window that saw both rooms: nothing it read says they are gone.
    expect(
      await markUnseenDeleted(database.db, { projectId: "p-resume", runId: resumer, now: new Date() }),
    ).toBe(0);
  });
});

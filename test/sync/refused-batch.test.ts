import { and, eq } from "drizzle-orm";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { smartChatRooms } from "../../src/db/schema.js";
import { refusalsBlameRooms } from "../../src/sync/is-data-error.js";
import { liveRooms } from "../support/sync-harness.js";
import { useSyncHarness } from "../support/use-sync-harness.js";

/**
 * A batch every room of which the database refuses. Two unstorable rooms can be a project's
 * whole incremental batch: failing it for them failed every run of the project for good.
 */
const sync = useSyncHarness();

const refusal = (code: string) => ({ room: "r", error: Object.assign(new Error(code), { code }) });

describe("refusalsBlameRooms", () => {
  it("blames the rooms when another room of the batch was stored, whatever the class", () => {
    expect(refusalsBlameRooms([refusal("23514")], 2)).toBe(true);
  });
  it("blames a whole batch's rooms refused for their values (22, 54), not for integrity (23)", () => {
    expect(refusalsBlameRooms([refusal("22003"), refusal("54000")], 2)).toBe(true);
    expect(refusalsBlameRooms([refusal("22003")], 1)).toBe(true);
    expect(refusalsBlameRooms([refusal("22003"), refusal("23514")], 2)).toBe(false);
    expect(refusalsBlameRooms([refusal("23505")], 1)).toBe(false);
  });
  it("finds the SQLSTATE in an error's cause", () => {
    const wrapped = new Error("write failed", { cause: refusal("22P02").error });
    expect(refusalsBlameRooms([{ room: "r", error: wrapped }], 1)).toBe(true);
  });
});

/** A run's status, or its error's message when it threw. */
const outcome = (run: Promise<{ status: string }>) =>
  run.then(
    (r) => r.status,
    (e: Error) => e.message,
  );

describe("a batch the database refuses entirely", () => {
  it("skips rooms that cannot be stored, reported invalid, though they are the whole batch", async () => {
    const project = "p-refused-whole";
    const h = await sync.start({ projectIds: [project], roomsPerProject: 300 });
    expect(await outcome(h.run(project))).toBe("succeeded");
    const bad = h.sim
      .rooms(project)
      .slice(0, 2)
      .map((r) => String(r.room_id));
    // Passes every check node makes; Postgres refuses it: integer out of range (22003).
    for (const id of bad) h.sim.updateRoom(project, id, { concurrency: 3_000_000_000 });

    const incremental = await h.run(project, { mode: "incremental" });
    expect(incremental.status).toBe("succeeded");
    expect(incremental.counts.itemsInvalid).toBe(2);
    // Kept as last stored, and never judged deleted by a full run: skipped rooms are seen.
    const full = await h.run(project);
    expect(full).toMatchObject({ status: "succeeded", counts: { itemsInvalid: 2, roomsDeleted: 0 } });
    const live = await liveRooms(sync.database, project);
    expect(live.size).toBe(300);
    for (const id of bad) expect(live.get(id)?.concurrency).not.toBe(3_000_000_000);
  });

  it("still fails the run when the database stores no room at all", async () => {
    const project = "p-refused-db";
    const h = await sync.start({ projectIds: [project], roomsPerProject: 300 });
    expect(await outcome(h.run(project))).toBe("succeeded");
    const changed = h.sim
      .rooms(project)
      .slice(0, 2)
      .map((r) => String(r.room_id));
    for (const id of changed) h.sim.updateRoom(project, id, { room_name: "renamed" });
    // The table refuses every row of the project: an integrity violation (23514) for each room,
    // which is the table's doing, not the rooms'. Skipping would lose both edits quietly.
    const constraint = sql.raw(`alter table smart_chat_rooms add constraint msync_test_refuse_all
      check (project_id <> '${project}') not valid`);
    await sync.database.db.execute(constraint);
    try {
      expect(await outcome(h.run(project, { mode: "incremental" }))).not.toBe("succeeded");
    } finally {
      await sync.database.db.execute(sql`alter table smart_chat_rooms drop constraint msync_test_refuse_all`);
    }
    expect(await outcome(h.run(project, { mode: "incremental" }))).toBe("succeeded");
    const [row] = await sync.database.db
      .select()
      .from(smartChatRooms)
      .where(and(eq(smartChatRooms.projectId, project), eq(smartChatRooms.roomId, changed[0]!)));
    expect(row?.roomName).toBe("renamed");
  });
});

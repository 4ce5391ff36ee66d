import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import {
  smartChatRoomChanges,
  smartChatRooms,
  syncRequests,
  syncRuns,
  syncState,
} from "../../src/db/schema.js";
import { MassDeleteRefusedError, RunInProgressError } from "../../src/sync/sync-errors.js";
import { expectExactMirror, liveRooms, type startHarness } from "../support/sync-harness.js";
import { useSyncHarness } from "../support/use-sync-harness.js";
import { insertTestRun } from "../support/insert-test-run.js";

const sync = useSyncHarness();

async function start(
  projectId: string,
  options: Parameters<typeof startHarness>[1] extends infer O ? Partial<O> : never = {},
) {
  return sync.start({ projectIds: [projectId], roomsPerProject: 800, ...options });
}

/** Row versions: a room row rewritten by a run gets a new xmin, one left alone keeps it. */
async function rowVersions(projectId: string): Promise<Map<string, string>> {
  const result = await sync.database.pool.query<{ room_id: string; xmin: string }>(
    "select room_id, xmin::text as xmin from smart_chat_rooms where project_id = $1",
    [projectId],
  );
  return new Map(result.rows.map((r) => [r.room_id, r.xmin]));
}

describe("runSync against the simulator", () => {
  it("mirrors every room exactly on a full run, then writes no room rows on a quiet run", async () => {
    const { sim, run } = await start("p-exact", { roomsPerProject: 1500 });
    sim.injectItem("p-exact", {
      room_id: "future-room",
      room_name: "from a later API version",
      brand_new_field: [1, 2],
    });
    const first = await run("p-exact");
    expect(first.status).toBe("succeeded");
    expect(first.counts.roomsInserted).toBe(1501);
    await expectExactMirror(sync.database, sim, "p-exact");
    const [stored] = await sync.database.db
      .select()
      .from(smartChatRooms)
      .where(eq(smartChatRooms.roomId, "future-room"));
    expect(stored?.raw).toHaveProperty("brand_new_field", [1, 2]);

    const before = await rowVersions("p-exact");
    const quiet = await run("p-exact", { mode: "incremental" });
    expect(quiet.roomRowsWritten).toBe(0);
    expect(quiet.voiceRowsWritten).toBe(0);
    expect(quiet.counts.roomsInserted + quiet.counts.roomsUpdated + quiet.counts.roomsDeleted).toBe(0);
    expect(await rowVersions("p-exact")).toEqual(before);
    const quietFull = await run("p-exact", { mode: "full" });
    expect(quietFull.roomRowsWritten).toBe(0);
    expect(await rowVersions("p-exact")).toEqual(before);
  });

  it("records every request and the run's counts for audit", async () => {
    const { run } = await start("p-audit", { roomsPerProject: 250 });
    const summary = await run("p-audit");
    const [runRow] = await sync.database.db.select().from(syncRuns).where(eq(syncRuns.id, summary.runId));
    expect(runRow).toMatchObject({
      status: "succeeded",
      mode: "full",
      trigger: "cli",
      roomsInserted: 250,
      roomsSeen: 250,
    });
    const requests = await sync.database.db
      .select()
      .from(syncRequests)
      .where(eq(syncRequests.runId, summary.runId));
    expect(requests.length).toBe(summary.counts.requests);
    expect(requests.every((r) => r.requestId && r.status === 200)).toBe(true);
    const rooms = await sync.database.db
      .select()
      .from(smartChatRooms)
      .where(eq(smartChatRooms.projectId, "p-audit"));
    const ids = new Set(requests.map((r) => r.requestId));
    expect(rooms.every((r) => r.lastRequestId !== null && ids.has(r.lastRequestId))).toBe(true);
  });

  it("picks up upstream changes incrementally with the fields that changed", async () => {
    const { sim, run } = await start("p-incr");
    await run("p-incr");
    const [a, b] = sim.rooms("p-incr");
    sim.updateRoom("p-incr", String(a!.room_id), { room_name: "renamed", concurrency: 7 });
    sim.updateRoom("p-incr", String(b!.room_id), {
      voice_config_list: [{ voice_asset_id: "new-voice", speed: 150 }],
    });
    const created = sim.createRoom("p-incr", { room_name: "brand new" });
    const summary = await run("p-incr", { mode: "incremental" });
    expect(summary.counts).toMatchObject({ roomsInserted: 1, roomsUpdated: 2, roomsDeleted: 0 });
    expect(summary.counts.requests).toBeLessThanOrEqual(3);
    await expectExactMirror(sync.database, sim, "p-incr");
    const changes = await sync.database.db
      .select()
      .from(smartChatRoomChanges)
      .where(
        and(eq(smartChatRoomChanges.projectId, "p-incr"), eq(smartChatRoomChanges.runId, summary.runId)),
      );
    const byRoom = new Map(changes.map((c) => [c.roomId, c]));
    expect(byRoom.get(String(a!.room_id))?.changedFields).toEqual([
      "concurrency",
      "room_name",
      "update_time",
    ]);
    expect(byRoom.get(String(b!.room_id))?.changedFields).toEqual(["update_time", "voice_config_list"]);
    expect(byRoom.get(String(created.room_id))?.change).toBe("created");
    expect(changes.every((c) => c.requestId)).toBe(true);
  });

  it("never loses an unchanged room while rooms change and the upstream fails during the run", async () => {
    const { sim, run } = await start("p-chaos", { roomsPerProject: 3000, seed: 7 });
    const before = new Map(sim.rooms("p-chaos").map((r) => [String(r.room_id), JSON.stringify(r)]));
    sim.setBehaviour({
      mutationsPerRequest: { create: 1, update: 2, delete: 1 },
      error5xxRate: 0.1,
      resetRate: 0.03,
      truncateRate: 0.03,
      unstableOrder: true,
    });
    const summary = await run("p-chaos", {}, { maxWindowRooms: 1000 });
    expect(summary.status).toBe("succeeded");
    // Quiet, and in a stable order: the first run stamped ~1,200 rooms within a few seconds, all
    // inside the next run's closing read, and under an unstable order a second holding more
    // than a page may not settle in the open window's passes; the run then rightly judges no
    // deletions, and converging would take another run. The faster the first run, the denser
    // those seconds.
    sim.setBehaviour({
      mutationsPerRequest: { create: 0, update: 0, delete: 0 },
      error5xxRate: 0,
      resetRate: 0,
      truncateRate: 0,
      unstableOrder: false,
    });
    const after = new Map(sim.rooms("p-chaos").map((r) => [String(r.room_id), JSON.stringify(r)]));
    const mirror = await liveRooms(sync.database, "p-chaos");
    let unchanged = 0;
    for (const [id, json] of before) {
      if (after.get(id) !== json) continue;
      unchanged += 1;
      expect(mirror.get(id)?.raw, id).toEqual(JSON.parse(json));
    }
    // Every request changes four rooms, the closing read's included: a third stays untouched.
    expect(unchanged).toBeGreaterThan(1000);
    // The next quiet full run converges to the upstream exactly, deletions included.
    const quiet = await run("p-chaos", {}, { massDeleteThreshold: 1 });
    expect(quiet.status).toBe("succeeded");
    await expectExactMirror(sync.database, sim, "p-chaos");
    // Four changes per request keep the closing read busy: slower than the others on a loaded machine.
  }, 150_000);

  it("reads same-second bursts larger than a page under an unstable order", async () => {
    const { sim, run } = await start("p-burst", {
      roomsPerProject: 2000,
      seed: 3,
      behaviour: { unstableOrder: true },
    });
    await run("p-burst", {}, { maxWindowRooms: 300 });
    await expectExactMirror(sync.database, sim, "p-burst");
  });

  for (const endTimeInclusive of [true, false]) {
    it(`loses nothing with ${endTimeInclusive ? "an inclusive" : "an exclusive"} end_time`, async () => {
      const pid = `p-end-${endTimeInclusive}`;
      const { sim, run } = await start(pid, { roomsPerProject: 1500, behaviour: { endTimeInclusive } });
      await run(pid, {}, { maxWindowRooms: 200 });
      await expectExactMirror(sync.database, sim, pid);
    });
  }

  it("stays exact when the filter applies to create_time, and incremental runs still see updates", async () => {
    const { sim, run } = await start("p-create", {
      roomsPerProject: 1200,
      behaviour: { timeFilterField: "create_time" },
    });
    await run("p-create", {}, { maxWindowRooms: 200 });
    await expectExactMirror(sync.database, sim, "p-create");
    const [state] = await sync.database.db
      .select()
      .from(syncState)
      .where(eq(syncState.projectId, "p-create"));
    expect(state?.filterField).toBe("create_time");
    const old = sim.rooms("p-create")[5]!;
    sim.updateRoom("p-create", String(old.room_id), { room_name: "updated long after creation" });
    await run("p-create", { mode: "incremental" });
    await expectExactMirror(sync.database, sim, "p-create");
  });

  it("sees old rooms' updates incrementally on a small project filtered on create_time", async () => {
    // Too small to split, so no page contradicts the default assumption: the probe must catch it.
    const { sim, run } = await start("p-create-small", {
      roomsPerProject: 300,
      behaviour: { timeFilterField: "create_time" },
    });
    await run("p-create-small");
    const old = sim.rooms("p-create-small")[7]!;
    sim.updateRoom("p-create-small", String(old.room_id), { room_name: "updated long after creation" });
    const incremental = await run("p-create-small", { mode: "incremental" });
    expect(incremental.counts.roomsUpdated).toBe(1);
    await expectExactMirror(sync.database, sim, "p-create-small");
  });

  it("learns the filter field on a small project's first full run, so a quiet run makes two requests", async () => {
    // One window from the start of time says nothing about the filter: without the full run's
    // probe, the first incremental run probes first (three requests).
    const { run } = await start("p-quiet-small", { roomsPerProject: 300 });
    await run("p-quiet-small");
    const [state] = await sync.database.db
      .select()
      .from(syncState)
      .where(eq(syncState.projectId, "p-quiet-small"));
    expect(state?.filterField).toBe("update_time");
    const quiet = await run("p-quiet-small", { mode: "incremental" });
    expect(quiet.counts.requests).toBe(2);
    expect(quiet.roomRowsWritten).toBe(0);
  });

  it("learns on a small project's full run that the filter is ignored, and still mirrors exactly", async () => {
    // The full run's probe (or else its closing read) says "ignored": the run plans again (no
    // time parameters) and reads the whole list, and no room is called deleted on the way.
    const { sim, run } = await start("p-ignored-small", {
      roomsPerProject: 300,
      behaviour: { timeFilterField: "ignored" },
    });
    const full = await run("p-ignored-small");
    expect(full.counts.roomsDeleted).toBe(0);
    await expectExactMirror(sync.database, sim, "p-ignored-small");
    const [state] = await sync.database.db
      .select()
      .from(syncState)
      .where(eq(syncState.projectId, "p-ignored-small"));
    expect(state?.filterField).toBe("ignored");
    const changes = await sync.database.db
      .select()
      .from(smartChatRoomChanges)
      .where(eq(smartChatRoomChanges.projectId, "p-ignored-small"));
    expect(changes.filter((c) => c.change !== "discovered")).toEqual([]);
    expect(changes).toHaveLength(300);
  });

  it("reads rooms edited before an incremental run began in their pages, without cutting the closing read", async () => {
    // 1,000 rooms edited just before the run sit in the open window: one request for the settled
    // window and ten pages. Cut up front, the open window's first page is read for nothing, and
    // the rooms of the cut second are read on both sides of it (13 to 22 requests).
    const { sim, run } = await start("p-edited-before", { roomsPerProject: 5000 });
    await run("p-edited-before");
    const rooms = sim.rooms("p-edited-before");
    for (let i = 0; i < 1000; i += 1) {
      sim.updateRoom("p-edited-before", String(rooms[i * 5]!.room_id), { room_name: `edited ${i}` });
    }
    const incremental = await run("p-edited-before", { mode: "incremental" });
    expect(incremental.counts.roomsUpdated).toBe(1000);
    expect(incremental.counts.requests).toBe(11);
    await expectExactMirror(sync.database, sim, "p-edited-before");
  });

  it("detects an ignored filter and falls back to reading the whole list", async () => {
    const { sim, run } = await start("p-ignored", {
      roomsPerProject: 900,
      behaviour: { timeFilterField: "ignored" },
    });
    await run("p-ignored", {}, { maxWindowRooms: 200 });
    await expectExactMirror(sync.database, sim, "p-ignored");
    const [state] = await sync.database.db
      .select()
      .from(syncState)
      .where(eq(syncState.projectId, "p-ignored"));
    expect(state?.filterField).toBe("ignored");
    sim.updateRoom("p-ignored", String(sim.rooms("p-ignored")[0]!.room_id), { room_name: "changed" });
    await run("p-ignored", { mode: "incremental" });
    await expectExactMirror(sync.database, sim, "p-ignored");
  });

  it("budgets a full run planned in many windows by all their rooms, not by its largest page", async () => {
    // Defaults scaled down: 500 requests plus 10 a page is this with 100,000 rooms in windows of
    // a few hundred, where the second full run failed at its 531st request.
    const { run } = await start("p-windows", { roomsPerProject: 2000 });
    const budget = { runBudget: { baseRequests: 10, requestsPerPage: 2 } };
    expect((await run("p-windows", {}, budget)).status).toBe("succeeded");
    const second = await run("p-windows", { mode: "full" }, budget);
    expect(second.status).toBe("succeeded");
    expect(second.counts.requests).toBeGreaterThan(20);
    await expectExactMirror(sync.database, sync.harness.sim, "p-windows");
  });

  it("soft-deletes rooms a full run no longer sees, and restores one that comes back", async () => {
    const { sim, run } = await start("p-delete", { roomsPerProject: 100 });
    await run("p-delete");
    const gone = sim.rooms("p-delete")[0]!;
    sim.deleteRoom("p-delete", String(gone.room_id));
    const incremental = await run("p-delete", { mode: "incremental" });
    expect(incremental.counts.roomsDeleted).toBe(0); // only a full run may conclude a room is gone
    const full = await run("p-delete");
    expect(full.counts.roomsDeleted).toBe(1);
    // Seen: the 99 still listed, not the one whose deletion the run recorded.
    expect(full.counts.roomsSeen).toBe(99);
    const [row] = await sync.database.db
      .select()
      .from(smartChatRooms)
      .where(eq(smartChatRooms.roomId, String(gone.room_id)));
    expect(row?.deletedAt).not.toBeNull();
    await expectExactMirror(sync.database, sim, "p-delete");

    sim.createRoom("p-delete", { ...gone, update_time: undefined });
    const back = await run("p-delete");
    expect(back.restored).toBe(1);
    expect(back.counts.roomsSeen).toBe(100);
    const changes = await sync.database.db
      .select()
      .from(smartChatRoomChanges)
      .where(
        and(
          eq(smartChatRoomChanges.projectId, "p-delete"),
          eq(smartChatRoomChanges.roomId, String(gone.room_id)),
        ),
      );
    expect(changes.map((c) => c.change)).toEqual(["discovered", "deleted", "restored"]);
    await expectExactMirror(sync.database, sim, "p-delete");
  });

  it("refuses a full run that would delete too much, deleting nothing, unless allowed", async () => {
    const { sim, run } = await start("p-guard", { roomsPerProject: 100 });
    await run("p-guard");
    for (const room of sim.rooms("p-guard").slice(0, 30)) sim.deleteRoom("p-guard", String(room.room_id));
    const refused = run("p-guard");
    await expect(refused).rejects.toBeInstanceOf(MassDeleteRefusedError);
    await expect(refused).rejects.toThrow(/30 of 100 live rooms.*--allow-mass-delete/);
    expect((await liveRooms(sync.database, "p-guard")).size).toBe(100);
    const [failed] = await sync.database.db
      .select()
      .from(syncRuns)
      .where(and(eq(syncRuns.projectId, "p-guard"), eq(syncRuns.status, "failed")));
    expect(failed?.error).toMatch(/Refusing to mark 30 of 100/);
    const allowed = await run("p-guard", { allowMassDelete: true });
    expect(allowed.counts.roomsDeleted).toBe(30);
    await expectExactMirror(sync.database, sim, "p-guard");
  });

  it("resumes a failed full run from its completed windows", async () => {
    const { sim, run } = await start("p-resume", { roomsPerProject: 3000, client: { maxAttempts: 1 } });
    const before = sim.requests.length;
    // Fail every request once the run has read about half of the list.
    const failing = setInterval(() => {
      if (sim.requests.length - before > 40) sim.setBehaviour({ error5xxRate: 1 });
    }, 1);
    // Unplanned (one group bigger than the project), so each run reads the span the same way and
    // only resuming makes the difference.
    const settings = { maxWindowRooms: 200, pageConcurrency: 1, plannedWindowRooms: 1_000_000 };
    await expect(run("p-resume", {}, settings)).rejects.toThrow(/MSS\.00000004/);
    clearInterval(failing);
    const partial = (await liveRooms(sync.database, "p-resume")).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(3000);
    sim.setBehaviour({ error5xxRate: 0 });
    const resumed = await run("p-resume", {}, settings);
    expect(resumed.resumedFrom).not.toBeNull();
    expect(resumed.counts.roomsDeleted).toBe(0);
    await expectExactMirror(sync.database, sim, "p-resume");
    // The same full run from scratch (nothing to resume once one succeeded) costs more.
    const fresh = await run("p-resume", {}, settings);
    expect(fresh.resumedFrom).toBeNull();
    expect(resumed.counts.requests).toBeLessThan(fresh.counts.requests);
  });

  it("skips and reports a malformed item while the rest of its page lands", async () => {
    const { sim, run } = await start("p-invalid", { roomsPerProject: 150 });
    sim.injectItem("p-invalid", { room_name: "no id at all" });
    sim.injectItem("p-invalid", { room_id: "bad-types", concurrency: "many" });
    const summary = await run("p-invalid");
    expect(summary.counts.itemsInvalid).toBe(2);
    expect(summary.counts.roomsInserted).toBe(150);
    const mirror = await liveRooms(sync.database, "p-invalid");
    expect(mirror.has("bad-types")).toBe(false);
    expect(mirror.size).toBe(150);
  });

  it("writes nothing on a dry run but reports what would change", async () => {
    const { run } = await start("p-dry", { roomsPerProject: 120 });
    const summary = await run("p-dry", { dryRun: true });
    expect(summary.counts.roomsInserted).toBe(120);
    expect(summary.preview.length).toBeGreaterThan(0);
    expect((await liveRooms(sync.database, "p-dry")).size).toBe(0);
    expect(await sync.database.db.select().from(syncRuns).where(eq(syncRuns.projectId, "p-dry"))).toEqual([]);
  });

  it("runs one sync per project at a time", async () => {
    const { run } = await start("p-lock", { roomsPerProject: 300, behaviour: { latencyMs: 30 } });
    const results = await Promise.allSettled([run("p-lock"), run("p-lock")]);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toBeInstanceOf(RunInProgressError);
    const runs = await sync.database.db.select().from(syncRuns).where(eq(syncRuns.projectId, "p-lock"));
    expect(runs.map((r) => r.status)).toEqual(["succeeded"]);
  });

  it("closes a run left running by a process that died", async () => {
    const { run } = await start("p-dead", { roomsPerProject: 50 });
    const orphan = await insertTestRun(sync.database.db, {
      projectId: "p-dead",
      mode: "incremental",
      trigger: "schedule",
      startedAt: new Date(Date.now() - 60_000),
    });
    await run("p-dead", { mode: "incremental" });
    const [row] = await sync.database.db.select().from(syncRuns).where(eq(syncRuns.id, orphan));
    expect(row).toMatchObject({ status: "failed", error: expect.stringMatching(/interrupted/) });
  });
});

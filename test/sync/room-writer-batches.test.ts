import { randomUUID } from "node:crypto";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

import { describe, expect, it } from "vitest";

import { PostgresRoomBatches } from "../../src/sync/postgres-room-batches.js";
import { RoomWriter } from "../../src/sync/room-writer.js";
import { useTestDatabase } from "../support/use-test-database.js";
import { insertTestRun } from "../support/insert-test-run.js";

const database = useTestDatabase();

/** A full collection, from a test worker started without --expose-gc. */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

describe("RoomWriter", () => {
  it("splits one huge page into batches, each its own transaction", async () => {
    const projectId = `p-${randomUUID().slice(0, 8)}`;
    const runId = await insertTestRun(database.db, { projectId });
    const writer = new RoomWriter({
      batches: new PostgresRoomBatches(database.db),
      projectId,
      runId,
      batchSize: 1000,
    });
    const rooms = Array.from({ length: 20_000 }, (_, i) => ({
      room: { room_id: `bulk-${i}`, room_name: `room ${i}` },
      requestId: "one-page",
    }));
    // One page of 20,000 items, as a hostile upstream can send.
    await writer.add(rooms);
    await writer.flush();
    const { rows } = await database.pool.query<{ transactions: number; rooms: number }>(
      "select count(distinct xmin::text)::int as transactions, count(*)::int as rooms from smart_chat_rooms where project_id = $1",
      [projectId],
    );
    expect(rows[0]).toEqual({ transactions: 20, rooms: 20_000 });
  });

  it("runs a window's task after its rooms commit without writing a partial batch per window", async () => {
    const projectId = `p-${randomUUID().slice(0, 8)}`;
    const runId = await insertTestRun(database.db, { projectId });
    const writer = new RoomWriter({
      batches: new PostgresRoomBatches(database.db),
      projectId,
      runId,
      batchSize: 500,
    });
    const storedWhenDone: number[] = [];
    const stored = async () =>
      (
        await database.pool.query<{ n: number }>(
          "select count(*)::int as n from smart_chat_rooms where project_id = $1",
          [projectId],
        )
      ).rows[0]!.n;
    // Ten small windows of 100 rooms, each recorded done as a full run records its windows.
    for (let window = 0; window < 10; window += 1) {
      const rooms = Array.from({ length: 100 }, (_, i) => ({
        room: { room_id: `w${window}-${i}`, room_name: `room ${i}` },
        requestId: `page-${window}`,
      }));
      await writer.add(rooms);
      const expected = (window + 1) * 100;
      writer.afterWrites(async () => {
        const n = await stored();
        storedWhenDone.push(n >= expected ? expected : -n);
      });
    }
    await writer.flush();
    // Each task saw its window's rooms committed, and in order.
    expect(storedWhenDone).toEqual(Array.from({ length: 10 }, (_, i) => (i + 1) * 100));
    const { rows } = await database.pool.query<{ transactions: number; rooms: number }>(
      "select count(distinct xmin::text)::int as transactions, count(*)::int as rooms from smart_chat_rooms where project_id = $1",
      [projectId],
    );
    // Two full batches, not ten partial ones queued with nothing to hold them back.
    expect(rows[0]).toEqual({ transactions: 2, rooms: 1000 });
  });

  it("decides a room in the next batch against what the batch before wrote, though both were queued at once", async () => {
    const projectId = `p-${randomUUID().slice(0, 8)}`;
    const runId = randomUUID();
    const writer = new RoomWriter({
      batches: new PostgresRoomBatches(database.db),
      projectId,
      runId,
      batchSize: 1,
    });
    const version = (name: string, at: string) => ({
      room: { room_id: "a", room_name: name, update_time: at },
      requestId: name,
    });
    // Four one-room batches queued at once: each holds the room of the one before, so waits for it.
    await writer.add([
      version("one", "2025-01-01T00:00:00Z"),
      version("two", "2025-01-02T00:00:00Z"),
      version("two", "2025-01-02T00:00:00Z"),
      version("three", "2025-01-03T00:00:00Z"),
    ]);
    await writer.flush();
    const { rows } = await database.pool.query<{ change: string; request_id: string; before: unknown }>(
      "select change, request_id, before from smart_chat_room_changes where project_id = $1 order by id",
      [projectId],
    );
    expect(rows).toEqual([
      { change: "created", request_id: "one", before: null },
      {
        change: "updated",
        request_id: "two",
        before: { room_name: "one", update_time: "2025-01-01T00:00:00Z" },
      },
      {
        change: "updated",
        request_id: "three",
        before: { room_name: "two", update_time: "2025-01-02T00:00:00Z" },
      },
    ]);
    expect(writer.totals).toMatchObject({ inserted: 1, updated: 2, unchanged: 1 });
  });

  it("writes a batch while the one before it waits on the database, and the room they share in order", async () => {
    const projectId = `p-${randomUUID().slice(0, 8)}`;
    const runId = await insertTestRun(database.db, { projectId });
    const writer = new RoomWriter({
      batches: new PostgresRoomBatches(database.db),
      projectId,
      runId,
      batchSize: 2,
    });
    const blocker = await database.pool.connect();
    const count = async (ids: string[]) =>
      (
        await database.pool.query<{ n: number }>(
          "select count(*)::int as n from smart_chat_rooms where project_id = $1 and room_id = any($2)",
          [projectId, ids],
        )
      ).rows[0]!.n;
    try {
      // An uncommitted row with the first batch's key: that batch's insert waits on it.
      await blocker.query("begin");
      await blocker.query(
        "insert into smart_chat_rooms (project_id, room_id, raw, content_hash, first_seen_at, last_seen_at, last_changed_at) values ($1, 'held', '{}', 'x', now(), now(), now())",
        [projectId],
      );
      const room = (id: string, name = id) => ({ room: { room_id: id, room_name: name }, requestId: id });
      await writer.add([room("held"), room("a")]);
      // The second batch shares no room with the first; the third shares "a" and must wait.
      await writer.add([room("b"), room("c")]);
      const third = writer.add([room("a", "a again"), room("d")]);
      await expect.poll(() => count(["b", "c"]), { timeout: 10_000 }).toBe(2);
      expect(await count(["held", "a", "d"])).toBe(0);
      await blocker.query("rollback");
      await third;
      await writer.flush();
    } finally {
      blocker.release();
    }
    const { rows } = await database.pool.query<{ room_id: string; room_name: string }>(
      "select room_id, room_name from smart_chat_rooms where project_id = $1 order by room_id",
      [projectId],
    );
    expect(rows.map((r) => [r.room_id, r.room_name])).toEqual([
      ["a", "a again"],
      ["b", "b"],
      ["c", "c"],
      ["d", "d"],
      ["held", "held"],
    ]);
  });

  it("writes no batch still waiting for a lane once a write has failed, and flushes once the others stop", async () => {
    const projectId = `p-${randomUUID().slice(0, 8)}`;
    const runId = await insertTestRun(database.db, { projectId });
    // Two lanes, so the third batch waits for one.
    const writer = new RoomWriter({
      batches: new PostgresRoomBatches(database.db),
      projectId,
      runId,
      batchSize: 1,
      writeLanes: 2,
    });
    const room = (id: string) => ({ room: { room_id: id, room_name: id }, requestId: id });
    const waiting = async () =>
      (
        await database.pool.query<{ n: number }>(
          "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
        )
      ).rows[0]!.n;
    const blocker = await database.pool.connect();
    try {
      // Uncommitted rows with the keys of the first two batches: both lanes wait on them.
      await blocker.query("begin");
      await blocker.query(
        `insert into smart_chat_rooms (project_id, room_id, raw, content_hash, first_seen_at, last_seen_at, last_changed_at)
         select $1, id, '{}', 'x', now(), now(), now() from unnest(array['held-1', 'held-2']) id`,
        [projectId],
      );
      await writer.add([room("held-1")]);
      await writer.add([room("held-2")]);
      const third = writer.add([room("late")]);
      third.catch(() => {});
      await expect.poll(waiting, { timeout: 10_000 }).toBe(2);
      // Both statements fail for a reason that is not their data, as a lost connection would.
      await database.pool.query(
        "select pg_cancel_backend(pid) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
      );
      await expect(third.catch(sqlState)).resolves.toBe("57014");
      await expect(writer.flush().catch(sqlState)).resolves.toBe("57014");
      expect(await waiting()).toBe(0);
    } finally {
      await blocker.query("rollback");
      blocker.release();
    }
    const { rows } = await database.pool.query<{ n: number }>(
      "select count(*)::int as n from smart_chat_rooms where project_id = $1",
      [projectId],
    );
    expect(rows[0]!.n).toBe(0);
  });

  it("keeps no parsed item while its rooms wait for their batch", async () => {
    const projectId = `p-${randomUUID().slice(0, 8)}`;
    const runId = await insertTestRun(database.db, { projectId });
    const writer = new RoomWriter({
      batches: new PostgresRoomBatches(database.db),
      projectId,
      runId,
      batchSize: 10,
    });
    let item: { room_id: string; room_name: string } | undefined = { room_id: "kept", room_name: "k" };
    const parsed = new WeakRef(item);
    // Fewer rooms than a batch: buffered, not yet written.
    await writer.add([{ room: item, requestId: "r" }]);
    item = undefined;
    // A WeakRef's target lives to the end of the task that made or read it.
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    expect(parsed.deref()).toBeUndefined();
    await writer.flush();
    const { rows } = await database.pool.query<{ name: string; raw: unknown }>(
      "select room_name as name, raw from smart_chat_rooms where project_id = $1",
      [projectId],
    );
    expect(rows).toEqual([{ name: "k", raw: { room_id: "kept", room_name: "k" } }]);
  });
});

/** The SQLSTATE of a failure, from the error or its causes (Drizzle wraps the driver's error). */
function sqlState(error: unknown): string | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

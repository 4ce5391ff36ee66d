import { describe, expect, it } from "vitest";

import { MAX_INDEXED_CHARS } from "../../src/metastudio/storable-item.js";
import { roomBatchPayload, roomKeysPayload } from "../../src/sync/room-batch-payload.js";
import { prepareRoom } from "../../src/sync/room-diff.js";

const observed = (room: {
  room_id: string;
  room_name?: string;
  create_time?: string;
  update_time?: string;
}) => ({ prepared: prepareRoom(room, "req") });

/** The entries of a payload, which is jsonb's binary format: a version byte, then the text. */
function entries(payload: Buffer): Array<Record<string, unknown>> {
  expect(payload[0]).toBe(1);
  return JSON.parse(payload.toString("utf8", 1)) as Array<Record<string, unknown>>;
}

describe("roomBatchPayload", () => {
  it("sends the item once, a typed name only where it was clipped, and only the ID of a room merely seen", () => {
    const long = "n".repeat(MAX_INDEXED_CHARS + 10);
    const rows = entries(
      roomBatchPayload([
        {
          ...observed({ room_id: "a", room_name: "short" }),
          kind: "created",
          fields: ["room_id", "room_name"],
        },
        { ...observed({ room_id: "b", room_name: long }), kind: "created", fields: ["room_id", "room_name"] },
        observed({ room_id: "c", room_name: "same" }),
      ]),
    );
    expect(rows[0]).toMatchObject({
      room_id: "a",
      change: "created",
      name: null,
      raw: { room_name: "short" },
    });
    expect(rows[0]).not.toHaveProperty("after");
    expect(rows[1]?.name).toBe("n".repeat(MAX_INDEXED_CHARS));
    expect((rows[1]?.raw as { room_name: string }).room_name).toBe(long);
    expect(rows[2]).toEqual({ room_id: "c", request_id: "req" });
  });

  // Postgres reads the same instant from the upstream's text as node parsed, so it goes as written;
  // V8 rolls 2025-02-29 over to March 1st, which goes formatted from node's parse.
  it("sends a time as the upstream wrote it where Postgres reads the instant node parsed", () => {
    const times = { create_time: "2024-12-01T08:18:54Z", update_time: "2025-02-29T00:00:00Z" };
    const [row] = entries(
      roomBatchPayload([{ ...observed({ room_id: "a", ...times }), kind: "created", fields: ["room_id"] }]),
    );
    expect(row).toMatchObject({
      create_time: "2024-12-01T08:18:54Z",
      update_time: "2025-03-01T00:00:00.000Z",
    });
  });

  it("carries an update's before and after, the values its change row keeps", () => {
    const [row] = entries(
      roomBatchPayload([
        {
          ...observed({ room_id: "a", room_name: "new" }),
          kind: "updated",
          fields: ["room_name"],
          values: { before: { room_name: "old" }, after: { room_name: "new" } },
        },
      ]),
    );
    expect(row).toMatchObject({
      before: { room_name: "old" },
      after: { room_name: "new" },
      fields: ["room_name"],
    });
  });

  it("writes text beyond Latin-1 as UTF-8, in names, IDs and items alike", () => {
    const name = '展厅 🤖 \ud800 "quoted"';
    const payload = roomBatchPayload([
      {
        ...observed({ room_id: "客服-1", room_name: name }),
        kind: "created",
        fields: ["room_id", "room_name"],
      },
      observed({ room_id: "🤖" }),
    ]);
    expect(entries(payload)).toMatchObject([
      { room_id: "客服-1", raw: { room_id: "客服-1", room_name: name } },
      { room_id: "🤖", request_id: "req" },
    ]);
  });

  // A quiet full run sends batches of rooms only seen: each parameter is allocated for what it
  // holds, not for items it does not carry.
  it("sizes a batch of rooms only seen for their IDs, not their items", () => {
    const rooms = Array.from({ length: 500 }, (_, i) =>
      observed({ room_id: `room-${i}`, room_name: "x".repeat(1000) }),
    );
    const payload = roomBatchPayload(rooms);
    expect(entries(payload)).toHaveLength(500);
    expect(payload.buffer.byteLength).toBeLessThan(500 * 200);
  });

  it("escapes IDs in the keys of the decision read", () => {
    expect(entries(roomKeysPayload([{ id: 'a"\\', hash: "h" }]))).toEqual([{ id: 'a"\\', hash: "h" }]);
  });
});

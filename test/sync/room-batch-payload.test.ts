import { describe, expect, it } from "vitest";

import { MAX_INDEXED_CHARS } from "../../src/metastudio/storable-item.js";
import { roomBatchPayload, roomKeysPayload } from "../../src/sync/room-batch-payload.js";
import { prepareRoom } from "../../src/sync/room-diff.js";

const observed = (room: { room_id: string; room_name?: string }) => ({
  observed: { room, requestId: "req" },
  prepared: prepareRoom(room),
});

describe("roomBatchPayload", () => {
  it("sends the item once, a typed name only where it was clipped, and only the ID of a room merely seen", () => {
    const long = "n".repeat(MAX_INDEXED_CHARS + 10);
    const rows = JSON.parse(
      roomBatchPayload([
        {
          ...observed({ room_id: "a", room_name: "short" }),
          kind: "created",
          fields: ["room_id", "room_name"],
        },
        { ...observed({ room_id: "b", room_name: long }), kind: "created", fields: ["room_id", "room_name"] },
        observed({ room_id: "c", room_name: "same" }),
      ]),
    ) as Array<Record<string, unknown>>;
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

  it("carries an update's before and after, the values its change row keeps", () => {
    const [row] = JSON.parse(
      roomBatchPayload([
        {
          ...observed({ room_id: "a", room_name: "new" }),
          kind: "updated",
          fields: ["room_name"],
          values: { before: { room_name: "old" }, after: { room_name: "new" } },
        },
      ]),
    ) as Array<Record<string, unknown>>;
    expect(row).toMatchObject({
      before: { room_name: "old" },
      after: { room_name: "new" },
      fields: ["room_name"],
    });
  });

  it("escapes IDs in the keys of the decision read", () => {
    expect(JSON.parse(roomKeysPayload([{ id: 'a"\\', hash: "h" }]))).toEqual([{ id: 'a"\\', hash: "h" }]);
  });
});

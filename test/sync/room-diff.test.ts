import { describe, expect, it } from "vitest";

import type { SmartChatRoom } from "../../src/metastudio/room-schema.js";
import { decideRoom, fieldsOfChange, latestPerRoom, prepareRoom } from "../../src/sync/room-diff.js";

const room = (extra: Partial<SmartChatRoom> = {}): SmartChatRoom => ({
  room_id: "r1",
  room_name: "one",
  update_time: "2025-01-01T00:00:10Z",
  create_time: "2025-01-01T00:00:00Z",
  ...extra,
});
const stored = (r: SmartChatRoom, deletedAt: Date | null = null) => {
  const prepared = prepareRoom(r);
  return { contentHash: prepared.hash, deletedAt, updateTime: prepared.columns.updateTime };
};

describe("decideRoom", () => {
  it("creates a room never stored", () => {
    expect(decideRoom(prepareRoom(room()), undefined)).toBe("created");
  });
  it("leaves a room with the same content alone", () => {
    expect(decideRoom(prepareRoom(room()), stored(room()))).toBe("unchanged");
  });
  it("updates a room whose content changed", () => {
    const newer = room({ room_name: "two", update_time: "2025-01-01T00:01:00Z" });
    expect(decideRoom(prepareRoom(newer), stored(room()))).toBe("updated");
  });
  it("calls an item older than the stored one stale, so it never overwrites it", () => {
    const newer = room({ room_name: "two", update_time: "2025-01-01T00:01:00Z" });
    expect(decideRoom(prepareRoom(room()), stored(newer))).toBe("stale");
  });
  it("restores a deleted room that comes back, changed or not", () => {
    const gone = stored(room(), new Date());
    expect(decideRoom(prepareRoom(room()), gone)).toBe("restored");
    expect(decideRoom(prepareRoom(room({ room_name: "x" })), gone)).toBe("restored");
  });
});

describe("latestPerRoom and fieldsOfChange", () => {
  it("keeps the newest sighting of a room seen twice in a batch", () => {
    const old = { room: room(), requestId: "a" };
    const newer = { room: room({ room_name: "two", update_time: "2025-01-01T00:01:00Z" }), requestId: "b" };
    expect(latestPerRoom([newer, old]).get("r1")!.requestId).toBe("b");
    expect(latestPerRoom([old, newer]).get("r1")!.requestId).toBe("b");
  });
  it("names every field of a new room and only the differing fields of an update", () => {
    expect(fieldsOfChange("created", undefined, { b: 1, a: 2 })).toEqual(["a", "b"]);
    expect(fieldsOfChange("updated", { a: 1, b: 1 }, { a: 1, b: 2, c: 3 })).toEqual(["b", "c"]);
  });
});

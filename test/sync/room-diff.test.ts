import { describe, expect, it } from "vitest";

import type { SmartChatRoom } from "../../src/metastudio/room-schema.js";
import { decideRoom, fieldsOfChange, itemOf, latestPerRoom, prepareRoom } from "../../src/sync/room-diff.js";

const room = (extra: Partial<SmartChatRoom> = {}): SmartChatRoom => ({
  room_id: "r1",
  room_name: "one",
  update_time: "2025-01-01T00:00:10Z",
  create_time: "2025-01-01T00:00:00Z",
  ...extra,
});
const stored = (r: SmartChatRoom, deletedAt: Date | null = null, writtenThisRun = false) => {
  const prepared = prepareRoom(r);
  return { contentHash: prepared.hash, deletedAt, updateMs: prepared.updateMs, writtenThisRun };
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
  it("calls an item older than the one its own run stored stale, so it never overwrites it", () => {
    const newer = room({ room_name: "two", update_time: "2025-01-01T00:01:00Z" });
    expect(decideRoom(prepareRoom(room()), stored(newer, null, true))).toBe("stale");
  });
  it("updates a room whose edit moved its time back since an earlier run stored it", () => {
    // A clock corrected upstream, or a room once stamped in the future: this run's page was
    // fetched after the earlier run's write, so it is the upstream's current state.
    const future = room({ room_name: "two", update_time: "2099-01-01T00:00:00Z" });
    expect(decideRoom(prepareRoom(room()), stored(future))).toBe("updated");
    expect(decideRoom(prepareRoom(room()), stored(future, null, true))).toBe("stale");
  });
  it("restores a deleted room that comes back, changed or not", () => {
    const gone = stored(room(), new Date());
    expect(decideRoom(prepareRoom(room()), gone)).toBe("restored");
    expect(decideRoom(prepareRoom(room({ room_name: "x" })), gone)).toBe("restored");
  });
});

describe("latestPerRoom and fieldsOfChange", () => {
  it("keeps the newest sighting of a room seen twice in a batch", () => {
    const old = prepareRoom(room(), "a");
    const newer = prepareRoom(room({ room_name: "two", update_time: "2025-01-01T00:01:00Z" }), "b");
    expect(latestPerRoom([newer, old]).get("r1")!.requestId).toBe("b");
    expect(latestPerRoom([old, newer]).get("r1")!.requestId).toBe("b");
  });
  it("names every field of a new room and only the differing fields of an update", () => {
    const prepared = prepareRoom({ room_id: "r1", b: 1, a: 2 });
    expect(fieldsOfChange(prepared, undefined)).toEqual(["a", "b", "room_id"]);
    expect(fieldsOfChange(prepared, { room_id: "r1", a: 2, b: 2, c: 3 }, itemOf(prepared))).toEqual([
      "b",
      "c",
    ]);
  });
});

describe("prepareRoom", () => {
  it("keeps what the decision and the write take, and the item only as its canonical bytes", () => {
    const item = room({
      voice_config_list: [{ speed: 1 }, { speed: 2 }],
      model_infos: { model_asset_id: "m" },
    });
    const prepared = prepareRoom(item, "req");
    expect(prepared).toMatchObject({
      id: "r1",
      requestId: "req",
      name: "one",
      voiceConfigs: 2,
      updateMs: Date.parse("2025-01-01T00:00:10Z"),
      sent: {
        name: null,
        modelAssetId: null,
        createTime: "2025-01-01T00:00:00Z",
        updateTime: "2025-01-01T00:00:10Z",
      },
    });
    expect(Object.values(prepared)).not.toContain(item);
    expect(itemOf(prepared)).toEqual(item);
    expect(prepared.fields).toEqual(Object.keys(item).sort());
  });
  it("shares one sorted field list among rooms with the same fields", () => {
    const first = prepareRoom(room({ room_id: "a" }));
    const second = prepareRoom(room({ room_id: "b" }));
    const other = prepareRoom({ ...room({ room_id: "c" }), extra: 1 });
    expect(second.fields).toBe(first.fields);
    expect(other.fields).not.toBe(first.fields);
    expect(other.fields).toEqual([...first.fields, "extra"].sort());
    expect(Object.isFrozen(first.fields)).toBe(true);
  });
  it("sends a clipped name, and a time formatted where Postgres would read the text differently", () => {
    const long = "n".repeat(3000);
    const prepared = prepareRoom(room({ room_name: long, update_time: "2025-02-29T00:00:00Z" }));
    expect(prepared.sent.name).not.toBeNull();
    expect(prepared.sent.name!.length).toBeLessThan(long.length);
    expect(prepared.name).toBe(long);
    expect(prepared.sent.updateTime).toBe("2025-03-01T00:00:00.000Z");
  });
});

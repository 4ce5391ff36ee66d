import { describe, expect, it } from "vitest";

import { isPlainRoom } from "../../src/metastudio/is-plain-room.js";
import { roomSchema } from "../../src/metastudio/room-schema.js";
import { generateDataset } from "../../src/simulator/dataset.js";

const rooms = JSON.parse(JSON.stringify(generateDataset(200, 7))) as Array<Record<string, unknown>>;

/** Each documented field set to values of every JSON type, at the top level and nested. */
const WRONG_VALUES: unknown[] = ["x", "", 1, 1.5, -1, 2 ** 60, true, null, [], ["x"], [1], {}, { a: 1 }];
const PATHS: string[][] = [
  ["room_id"],
  ["room_name"],
  ["reuse_resource"],
  ["concurrency"],
  ["exit_mute_threshold"],
  ["create_time"],
  ["update_time"],
  ["model_infos"],
  ["model_infos", "model_asset_id"],
  ["model_infos", "backup_model_asset_ids"],
  ["voice_config"],
  ["voice_config_list"],
  ["voice_config_list", "0"],
  ["voice_config_list", "0", "speed"],
  ["voice_config_list", "0", "provider"],
];

function withValue(room: Record<string, unknown>, path: string[], value: unknown): unknown {
  const copy = structuredClone(room);
  let target: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    if (typeof target[key] !== "object" || target[key] === null)
      target[key] = key === "voice_config_list" ? [{}] : {};
    target = target[key] as Record<string, unknown>;
  }
  target[path.at(-1)!] = value;
  return copy;
}

describe("isPlainRoom", () => {
  it("accepts the rooms the upstream sends, so they skip zod", () => {
    expect(rooms.filter((room) => !isPlainRoom(room))).toEqual([]);
  });

  it("never accepts an item roomSchema rejects", () => {
    const times = [
      "2024-01-01T00:00:00Z",
      "2024-01-01T00:00:00+08:00",
      "2024-01-01",
      "2024-13-01T00:00:00Z",
      "yesterday",
      "2024-02-29T00:00:00Z",
      "2023-02-29T00:00:00Z",
      "2000-02-29T23:59:59.5-01:30",
      "1900-02-29T00:00:00Z",
      "2024-04-31T00:00:00Z",
      "2024-01-01T24:00:00Z",
      "2024-01-01T00:00:00.123456789Z",
      "2024-01-01T00:00:00.Z",
      "2024-01-01T00:00:00",
      "2024-01-01T00:00Z",
      "2024-01-01T00:00:00+0800",
      "2024-01-01t00:00:00z",
      "2024-01-01T00:00:00Z\n",
      " 2024-01-01T00:00:00Z",
    ];
    // Times are the one check the fast path makes by zod's own pattern: it must agree both ways.
    for (const key of ["create_time", "update_time"]) {
      for (const time of times) {
        const item = withValue(rooms[0]!, [key], time);
        expect([key, time, isPlainRoom(item)]).toEqual([key, time, roomSchema.safeParse(item).success]);
      }
    }
    for (const path of PATHS) {
      for (const value of [...WRONG_VALUES, ...times]) {
        const item = withValue(rooms[0]!, path, value);
        const plain = isPlainRoom(item);
        if (plain)
          expect(roomSchema.safeParse(item).success, `${path.join(".")} = ${JSON.stringify(value)}`).toBe(
            true,
          );
      }
    }
    for (const item of [null, [], "room", 1, {}, { room_id: "" }, { room_id: 1 }])
      expect(isPlainRoom(item)).toBe(false);
  });
});

import { describe, expect, it } from "vitest";

import { canonicalJson } from "../../src/sync/canonical-json.js";
import { changedFields, contentHash, roomColumns, voiceConfigRows } from "../../src/sync/room-record.js";

describe("room records", () => {
  const room = {
    room_id: "r1",
    room_name: "展厅 Sara",
    model_infos: { model_asset_id: "m1", asset_name: "Sara" },
    voice_config_list: [
      { voice_asset_id: "v1", speed: 100, pitch: 90, volume: 140, provider: "HUAWEI_EI", language: "CN" },
      { voice_asset_id: "v2" },
    ],
    create_time: "2022-11-30T06:59:55Z",
    update_time: "2022-12-05T12:30:37Z",
    future_field: { nested: true },
  };

  it("hashes content regardless of key order", () => {
    const reordered = Object.fromEntries(Object.entries(room).reverse());
    expect(contentHash(reordered)).toBe(contentHash(room));
    expect(contentHash({ ...room, room_name: "other" })).not.toBe(contentHash(room));
  });

  // Stored hashes are compared for equality: if these values change, every stored room looks
  // changed once and is rewritten. The values were computed by the original implementation.
  it("keeps the content hashes already stored", () => {
    expect(contentHash(room)).toBe("c_e7N2vqYS8iv8fPZ-i6sUPYwfkM0akyPFgEVz6wkHk");
    const odd = {
      'z"key\\': [1.5, -0, 1e21, null, [], {}],
      é: "line\nbreak\u0000",
      b: undefined,
      a: false,
      "10": 1,
      "9": 2,
    };
    expect(canonicalJson(odd)).toBe(
      '{"10":1,"9":2,"a":false,"z\\"key\\\\":[1.5,0,1e+21,null,[],{}],"é":"line\\nbreak\\u0000"}',
    );
    expect(contentHash(odd)).toBe("aV7WJLWyuxrcETnCClPxL7oCorQ8-GY-5TuxYJxnFNY");
  });

  it("names the top-level fields that changed", () => {
    expect(changedFields(room, { ...room, room_name: "x", concurrency: 2 })).toEqual([
      "concurrency",
      "room_name",
    ]);
    expect(changedFields(room, { ...room })).toEqual([]);
  });

  it("maps typed columns and keeps the raw item with unknown fields", () => {
    const columns = roomColumns("p1", room);
    expect(columns.modelAssetId).toBe("m1");
    expect(columns.updateTime?.toISOString()).toBe("2022-12-05T12:30:37.000Z");
    expect(columns.raw).toHaveProperty("future_field.nested", true);
    expect(columns.concurrency).toBeNull();
  });

  it("keeps voice configs in upstream order from position 0", () => {
    const rows = voiceConfigRows("p1", room);
    expect(rows.map((r) => [r.position, r.voiceAssetId])).toEqual([
      [0, "v1"],
      [1, "v2"],
    ]);
    expect(rows[1]!.speed).toBeNull();
  });
});

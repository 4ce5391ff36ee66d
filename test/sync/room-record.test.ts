import { describe, expect, it } from "vitest";

import {
  cachedKeyCount,
  canonicalJson,
  changedFields,
  contentHash,
  roomColumns,
  sortedKeys,
  voiceConfigRows,
} from "../../src/sync/room-record.js";

/** The canonical JSON of commit c2f7707 (bench/hash.ts keeps it too): what stored hashes are of. */
function referenceJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(referenceJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${referenceJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value);
}

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

  // Keys as a parsed body can carry them: integer-like keys (which V8 orders numerically in every
  // object), "__proto__" as an own key, keys beyond the BMP (code-unit order differs from code
  // point order), and objects large enough for the native sort.
  it("writes odd keys and values exactly as the reference does", () => {
    const big = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [i % 3 === 0 ? String(i) : `k${(i * 7) % 40}`, i]),
    );
    const cases: unknown[] = [
      JSON.parse('{"__proto__":{"x":1},"a":2,"B":3,"_":4}'),
      JSON.parse('{"__proto__":null}'),
      { "2": "a", "10": "b", "1.5": "c", "-1": "d", "01": "e", "4294967295": "f", "4294967294": "g" },
      { "\ud83d\ude00": 1, "\uff61": 2, "\ud800": 3, "\udc00": 4, "": 5, " ": 6 },
      { a: Number.NaN, b: Number.POSITIVE_INFINITY, c: -0, d: 1e21, e: 5e-7, f: 0.1, g: true, h: false },
      [undefined, Number.NEGATIVE_INFINITY, -1e-7, 2 ** 53, "\u2028"],
      [
        "",
        "plain",
        'q"uote',
        "back\\slash",
        "\b\f\n\r\t\u0001\u001f",
        "\u007f\u0080\u00ff",
        "\u2029",
        "x\u001f",
        "\u0000",
      ],
      ["😀", "a\ud83d", "\ude00b", "\ude00\ud83d", "客服 with Sara", "\uffff", "/</script>"],
      big,
      { nested: [big, { z: big }] },
    ];
    for (const value of cases) expect(canonicalJson(value)).toBe(referenceJson(value));
    expect(canonicalJson(cases[0])).toBe('{"B":3,"_":4,"__proto__":{"x":1},"a":2}');
  });

  it("sorts keys in the default sort's order, small objects and large", () => {
    for (const size of [0, 1, 2, 31, 32, 33, 200]) {
      const keys = Array.from({ length: size }, (_, i) => `${(i * 37) % 101}${"\ud83d\ude00\uff61é"[i % 4]}`);
      const record = Object.fromEntries(keys.map((key) => [key, 1]));
      expect(sortedKeys(record)).toEqual(Object.keys(record).sort());
    }
  });

  it("keeps its cache of quoted keys bounded, however many keys the upstream sends", () => {
    const many = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`key ${i}`, i]));
    const long = { ["x".repeat(100_000)]: 1 };
    expect(canonicalJson(many)).toBe(referenceJson(many));
    expect(canonicalJson(long)).toBe(referenceJson(long));
    expect(cachedKeyCount()).toBeLessThanOrEqual(1_000);
    // Keys past the bound are still written right, quoted afresh.
    const later = { "key 2999": 1, "key 0": 2, 'fresh "key"': 3 };
    expect(canonicalJson(later)).toBe(referenceJson(later));
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

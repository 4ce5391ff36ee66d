import { describe, expect, it } from "vitest";

import {
  cachedKeyCount,
  canonicalJson,
  sortedKeys,
  writeCanonicalJson,
} from "../../src/sync/canonical-json.js";
import { JsonBytes } from "../../src/sync/json-bytes.js";
import { generateDataset } from "../../src/simulator/dataset.js";

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

/** canonicalJson is the reference's text, and writeCanonicalJson its bytes. */
function expectBoth(value: unknown): void {
  const text = referenceJson(value);
  expect(canonicalJson(value)).toBe(text);
  const out = new JsonBytes(8);
  writeCanonicalJson(out, value);
  expect(out.view().equals(Buffer.from(text))).toBe(true);
}

describe("canonical JSON", () => {
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
    for (const value of cases) expectBoth(value);
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
    expectBoth(many);
    expectBoth(long);
    expect(cachedKeyCount()).toBeLessThanOrEqual(1_000);
    // Keys past the bound are still written right, quoted afresh.
    const later = { "key 2999": 1, "key 0": 2, 'fresh "key"': 3 };
    expectBoth(later);
  });

  it("writes the bytes of what the upstream sends, room after room into one reused writer", () => {
    const rooms = JSON.parse(JSON.stringify(generateDataset(300, 7))) as unknown[];
    const out = new JsonBytes(64);
    for (const room of rooms) {
      out.reset();
      writeCanonicalJson(out, room);
      expect(out.view().toString()).toBe(canonicalJson(room));
    }
  });

  // Not JSON, so never in a parsed body; written as canonicalJson writes them all the same.
  it("writes values JSON cannot hold as canonicalJson does", () => {
    const odd = { f: () => 1, s: Symbol("s"), list: [undefined, () => 1, Symbol("t"), 1], when: new Date(0) };
    const out = new JsonBytes();
    writeCanonicalJson(out, odd);
    expect(out.view().toString()).toBe(canonicalJson(odd));
    expect(out.view().toString()).toBe('{"f":undefined,"list":[,,,1],"s":undefined,"when":{}}');
  });
});

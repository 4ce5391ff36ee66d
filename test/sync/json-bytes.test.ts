import { describe, expect, it } from "vitest";

import { JsonBytes } from "../../src/sync/json-bytes.js";

/** What `string` must write: JSON.stringify's quoting, encoded as Buffer.from encodes. */
const expected = (value: string) => Buffer.from(JSON.stringify(value));

function written(write: (out: JsonBytes) => void, initialBytes = 4): Buffer {
  const out = new JsonBytes(initialBytes);
  write(out);
  return Buffer.from(out.view());
}

/** A small deterministic generator, so a failure names a string that can be replayed. */
function randomStrings(count: number, seed: number): string[] {
  let state = seed;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  // Each range's edges: ASCII and what must be escaped, two- and three-byte UTF-8, surrogates.
  const pools = [
    [0x00, 0x1f],
    [0x20, 0x7f],
    [0x80, 0x7ff],
    [0x800, 0xd7ff],
    [0xd800, 0xdbff],
    [0xdc00, 0xdfff],
    [0xe000, 0xffff],
  ] as const;
  return Array.from({ length: count }, () => {
    const codes = Array.from({ length: Math.floor(next() * 12) }, () => {
      const [low, high] = pools[Math.floor(next() * pools.length)]!;
      return low + Math.floor(next() * (high - low + 1));
    });
    return String.fromCharCode(...codes);
  });
}

describe("JsonBytes", () => {
  it("quotes strings as JSON.stringify does, in UTF-8", () => {
    const cases = [
      "",
      "plain",
      'q"uote',
      "back\\slash",
      "\b\f\n\r\t\u0000\u001f",
      "\u007f\u0080\u07ff\u0800\uffff",
      "\u2028\u2029",
      "客服 with Sara",
      "😀",
      "a\ud83d",
      "\ud83d",
      "\ude00b",
      "\ude00\ud83d",
      "\ud83d\ud83d\ude00",
      "x".repeat(10_000) + "é",
    ];
    for (const value of cases) expect(written((out) => out.string(value))).toEqual(expected(value));
  });

  it("quotes any mix of characters as JSON.stringify does", () => {
    for (const value of randomStrings(5_000, 42))
      expect(written((out) => out.string(value)).toString("hex")).toBe(expected(value).toString("hex"));
  });

  it("grows past its first capacity without losing what it wrote", () => {
    const out = new JsonBytes(2);
    out.byte(0x5b);
    out.ascii("null,");
    out.stringOrNull(undefined);
    out.ascii(",");
    out.bytes(Buffer.from(`"${"x".repeat(100)}"`));
    out.ascii(",");
    out.text('"é"');
    out.ascii(",");
    out.string("客".repeat(50));
    out.byte(0x5d);
    expect(JSON.parse(out.view().toString())).toEqual([null, null, "x".repeat(100), "é", "客".repeat(50)]);
  });

  it("grows to about the size of a long string, not to three bytes a character", () => {
    const out = new JsonBytes(16);
    out.string("a".repeat(1_000_000));
    expect(out.capacity).toBe(1024 * 1024);
    const wide = new JsonBytes(16);
    wide.string("é".repeat(500_000) + "\ud800");
    expect(wide.view().equals(expected("é".repeat(500_000) + "\ud800"))).toBe(true);
    expect(wide.capacity).toBeLessThanOrEqual(2 * 1024 * 1024);
  });

  it("starts over on reset, and lets go of a buffer an outsized input grew", () => {
    const out = new JsonBytes(16);
    out.string("a".repeat(100));
    // Room for three bytes a character, doubled from 16.
    expect(out.capacity).toBe(512);
    out.reset(512);
    expect(out.capacity).toBe(512);
    out.string("a".repeat(200));
    out.reset(512);
    expect([out.length, out.capacity]).toEqual([0, 16]);
    out.ascii("{}");
    expect(out.view().toString()).toBe("{}");
  });
});

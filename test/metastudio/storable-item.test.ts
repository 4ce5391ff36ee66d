import { describe, expect, it } from "vitest";

import { parsePage } from "../../src/metastudio/parse-page.js";
import {
  checkStorable,
  indexedText,
  isStorableId,
  nestingDepth,
} from "../../src/metastudio/storable-item.js";

const context = { offset: 200, requestId: "req-1" };

describe("checkStorable", () => {
  it("replaces NUL and lone surrogates, in keys and values, and says where", () => {
    const result = checkStorable({ room_id: "a", room_name: "x\u0000y", ["k\ud800"]: ["\udc00", "😀"] });
    expect(result).toEqual({
      ok: true,
      item: { room_id: "a", room_name: "x\ufffdy", ["k\ufffd"]: ["\ufffd", "😀"] },
      normalised: ["item.room_name", "item key", "item.k\ufffd[0]"],
    });
  });
  it("passes a clean item through untouched", () => {
    const item = { room_id: "a", room_name: "😀 ok" };
    expect(checkStorable(item)).toEqual({ ok: true, item, normalised: [] });
  });
  it("refuses a room_id too long for an index, and nesting too deep to hash", () => {
    expect(checkStorable({ room_id: "r".repeat(256) })).toMatchObject({ ok: false });
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    expect(checkStorable({ room_id: "a", deep })).toEqual({
      ok: false,
      reason: "item: nested deeper than 32 levels",
    });
    expect(nestingDepth({ a: { b: [1] } }, 100)).toBe(3);
  });
  // The walk tests strings natively (isWellFormed, includes); the regex normalise replaces with
  // is the reference: both must find exactly the same strings.
  it("finds exactly the strings and keys normalise would change", () => {
    // eslint-disable-next-line no-control-regex
    const reference = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
    const texts = [
      "plain",
      "",
      "😀",
      "a😀b😀",
      "\u0000",
      "x\u0000",
      "\ud800",
      "x\ud83d",
      "\ud83dx",
      "\udc00",
      "\ude00x",
      "x\ude00",
      "\ude00\ud83d",
      "\ud83d\ud83d\ude00",
      "\ud83d\ude00\ude00",
      "\uffff\ufffd\u2028",
      "\u0001\u001f",
    ];
    for (const text of texts) {
      const unstorable = reference.test(text);
      const asValue = checkStorable({ room_id: "a", list: [{ deep: text }] });
      const asKey = checkStorable({ room_id: "a", nested: { [text]: 1 } });
      expect([text, asValue.ok && asValue.normalised.length > 0]).toEqual([text, unstorable]);
      expect([text, asKey.ok && asKey.normalised.length > 0]).toEqual([text, unstorable]);
    }
  });
  it("refuses one level past the limit, however the levels are made, text found or not", () => {
    const nest = (levels: number, inner: unknown) => {
      let value = inner;
      for (let i = 0; i < levels; i += 1) value = i % 2 === 0 ? [value] : { k: value };
      return value;
    };
    // The item itself is level 1.
    expect(checkStorable({ room_id: "a", v: nest(31, "ok") })).toMatchObject({ ok: true, normalised: [] });
    expect(checkStorable({ room_id: "a", x: "\u0000", v: nest(32, "ok") })).toEqual({
      ok: false,
      reason: "item: nested deeper than 32 levels",
    });
    expect(checkStorable({ room_id: "a", v: nest(31, [1]) })).toEqual({
      ok: false,
      reason: "item: nested deeper than 32 levels",
    });
    expect(checkStorable([{ room_id: "a" }, nest(100_000, "\ud800")])).toMatchObject({ ok: false });
    expect(nestingDepth(nest(31, "x"), 100)).toBe(31);
    expect(nestingDepth({ a: nest(3, 1), b: nest(5, 1), c: nest(2, 1) }, 100)).toBe(6);
    expect(nestingDepth(nest(1000, {}), 10)).toBe(10);
  });
  it("clips indexed text to fit its index, and tells storable IDs apart", () => {
    expect(indexedText("n".repeat(10_000))).toHaveLength(512);
    expect(indexedText(null)).toBeNull();
    expect(isStorableId("abc")).toBe(true);
    expect(isStorableId("a\u0000")).toBe(false);
    expect(isStorableId("r".repeat(300))).toBe(false);
  });
});

describe("parsePage", () => {
  it("refuses a count that cannot be real instead of paging it", () => {
    expect(parsePage({ count: 1e12, smart_chat_rooms: [] }, context)).toEqual({
      ok: false,
      reason: "count 1000000000000 cannot be real (more than 10000000 rooms in one project)",
    });
  });
  it("reports unstorable items with request ID and offset, and notes normalised ones", () => {
    const parsed = parsePage(
      {
        count: 3,
        smart_chat_rooms: [{ room_id: "ok" }, { room_id: "r".repeat(300) }, { room_id: "n\u0000" }],
      },
      context,
    );
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.page.rooms.map((r) => r.room_id)).toEqual(["ok", "n\ufffd"]);
    expect(parsed.page.invalid).toMatchObject([{ index: 1, offset: 201, requestId: "req-1" }]);
    expect(parsed.page.normalised).toEqual([
      { index: 2, offset: 202, requestId: "req-1", roomId: "n\ufffd", paths: ["item.room_id"] },
    ]);
  });
});

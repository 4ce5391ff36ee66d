import { describe, expect, it } from "vitest";

import { decodeCursor, encodeCursor, InvalidCursorError } from "../../src/db/feed-cursor.js";

describe("feed cursors", () => {
  it("round-trips positions beyond 2^53", () => {
    const position = { xid: "18446744073709551000", id: "9223372036854775807" };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it("rejects anything it did not write, naming --since", () => {
    for (const bad of ["", "42", "c1_", "c1_!!!", `c1_${Buffer.from("1.x").toString("base64url")}`]) {
      expect(() => decodeCursor(bad)).toThrow(InvalidCursorError);
    }
    expect(() => decodeCursor("nope")).toThrow(/--since/);
  });
});

import { describe, expect, it } from "vitest";

import { unaccountedRooms } from "../../src/sync/listed-vs-seen.js";

describe("unaccountedRooms", () => {
  it("is 0 when the run saw every room listed", () => {
    expect(unaccountedRooms({ listed: 300, seen: 300, withoutId: 0 })).toBe(0);
  });

  it("is 0 when the run saw more: rooms created or deleted during the run", () => {
    expect(unaccountedRooms({ listed: 300, seen: 305, withoutId: 0 })).toBe(0);
  });

  it("counts the listed rooms the run cannot account for", () => {
    expect(unaccountedRooms({ listed: 300, seen: 299, withoutId: 0 })).toBe(1);
  });

  it("accounts for items whose room_id could not be recorded as seen", () => {
    expect(unaccountedRooms({ listed: 300, seen: 298, withoutId: 2 })).toBe(0);
    expect(unaccountedRooms({ listed: 300, seen: 297, withoutId: 2 })).toBe(1);
  });

  it("an empty list accounts for nothing and misses nothing", () => {
    expect(unaccountedRooms({ listed: 0, seen: 0, withoutId: 0 })).toBe(0);
  });

  it("treats a count that is no count as a miss, so no deletion rests on it", () => {
    for (const listed of [Number.NaN, -1, 1.5, Number.POSITIVE_INFINITY, 2 ** 60]) {
      expect(unaccountedRooms({ listed, seen: 10, withoutId: 0 })).toBe(Number.POSITIVE_INFINITY);
    }
  });
});

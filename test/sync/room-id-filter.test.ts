import { randomUUID } from "node:crypto";

import { describe, expect, it } from "vitest";

import { RoomIdFilter } from "../../src/sync/room-id-filter.js";

describe("RoomIdFilter", () => {
  it("holds every ID added, whatever its text", () => {
    const filter = new RoomIdFilter();
    const ids = [
      ...Array.from({ length: 20_000 }, () => randomUUID()),
      "",
      "r1",
      "房间-一",
      "\ud83d\ude00",
      "x".repeat(255),
    ];
    for (const id of ids) filter.add(id);
    expect(ids.filter((id) => !filter.mightHold(id))).toEqual([]);
  });
  it("answers no for nearly every ID never added, so a run's new batches skip their read", () => {
    const filter = new RoomIdFilter();
    for (let i = 0; i < 100_000; i += 1) filter.add(randomUUID());
    const others = Array.from({ length: 20_000 }, () => randomUUID());
    const maybe = others.filter((id) => filter.mightHold(id)).length;
    // Three probes in 2^24 bits at 100,000 IDs: about 6 in a million by the formula.
    expect(maybe).toBeLessThan(20);
  });
  it("holds nothing before anything is added", () => {
    expect(new RoomIdFilter().mightHold("r1")).toBe(false);
  });
});

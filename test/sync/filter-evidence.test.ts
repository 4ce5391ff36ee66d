import { describe, expect, it } from "vitest";

import { filterEvidence } from "../../src/sync/filter-evidence.js";

const window = {
  start: Date.parse("2025-01-10T00:00:00Z") / 1000,
  end: Date.parse("2025-01-11T00:00:00Z") / 1000,
};
const inside = "2025-01-10T12:00:00Z";
const before = "2024-12-01T00:00:00Z";
const after = "2025-02-01T00:00:00Z";

describe("filterEvidence", () => {
  it("says update_time when only update_time is inside", () => {
    expect(filterEvidence(window, [{ create_time: before, update_time: inside }])).toBe("update_time");
  });
  it("says create_time when only create_time is inside", () => {
    expect(filterEvidence(window, [{ create_time: inside, update_time: after }])).toBe("create_time");
  });
  it("says ignored when a room is outside by both", () => {
    expect(filterEvidence(window, [{ create_time: before, update_time: before }])).toBe("ignored");
  });
  it("says ignored when rooms contradict each other", () => {
    expect(
      filterEvidence(window, [
        { create_time: before, update_time: inside },
        { create_time: inside, update_time: after },
      ]),
    ).toBe("ignored");
  });
  it("learns nothing from never-updated rooms or missing times", () => {
    expect(filterEvidence(window, [{ create_time: inside, update_time: inside }, {}])).toBeNull();
  });
  it("tolerates one second either side of the boundaries", () => {
    expect(filterEvidence(window, [{ create_time: before, update_time: "2025-01-11T00:00:01Z" }])).toBe(
      "update_time",
    );
  });
  it("learns nothing from an unfiltered request", () => {
    expect(
      filterEvidence({ start: null, end: null }, [{ create_time: before, update_time: after }]),
    ).toBeNull();
  });

  it("judges a stamp at, inside and just past the window's one-second slack as parsing it would", () => {
    const at = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.000Z$/, "Z");
    const elsewhere = "2000-01-01T00:00:00Z";
    for (const bounds of [window, { start: window.start, end: null }, { start: 0, end: window.end }]) {
      for (const edge of [window.start, window.end]) {
        for (const delta of [-2, -1, 0, 1, 2]) {
          const plain = at(edge + delta);
          // The same instant in another form takes the parsing path: both must agree.
          const offset = new Date((edge + delta) * 1000).toISOString().replace("Z", "+00:00");
          expect(filterEvidence(bounds, [{ update_time: plain, create_time: elsewhere }]), plain).toBe(
            filterEvidence(bounds, [{ update_time: offset, create_time: elsewhere }]),
          );
        }
      }
    }
    // Far outside the years the documented form can write, text is not compared.
    const far = { start: Date.UTC(9999, 11, 31) / 1000, end: 8.64e12 };
    expect(filterEvidence(far, [{ update_time: "9999-12-31T12:00:00Z", create_time: elsewhere }])).toBe(
      "update_time",
    );
  });
});

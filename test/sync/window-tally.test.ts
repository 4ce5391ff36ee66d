import { describe, expect, it } from "vitest";

import { WindowTally } from "../../src/sync/window-tally.js";

describe("WindowTally", () => {
  it("is complete once the distinct keys reach the count", () => {
    const tally = new WindowTally();
    tally.observe(3, ["a", "b"]);
    expect(tally.complete).toBe(false);
    expect(tally.missing).toBe(1);
    tally.observe(3, ["b", "c"]);
    expect(tally.complete).toBe(true);
  });

  it("accumulates across reshuffled pages of an unchanged set", () => {
    const tally = new WindowTally();
    tally.observe(4, ["a", "b"]);
    tally.observe(4, ["a", "c"]); // a tie reshuffled: "b" came twice, "d" not yet
    expect(tally.complete).toBe(false);
    tally.observe(4, ["d"]);
    expect(tally.complete).toBe(true);
  });

  it("starts again when the count changes, because the set changed", () => {
    const tally = new WindowTally();
    tally.observe(3, ["a", "b"]);
    tally.observe(2, ["c"]); // a room left between requests
    expect(tally.complete).toBe(false);
    expect(tally.shifted).toBe(true);
    tally.observe(2, ["a"]);
    expect(tally.complete).toBe(true);
  });

  it("reports a shift within a pass only", () => {
    const tally = new WindowTally();
    tally.observe(5, ["a"]);
    tally.observe(4, ["b"]);
    tally.startPass();
    expect(tally.shifted).toBe(false);
    tally.observe(4, ["c"]);
    expect(tally.shifted).toBe(false);
  });

  it("is never complete before any response", () => {
    expect(new WindowTally().complete).toBe(false);
  });

  it("treats an empty window as complete", () => {
    const tally = new WindowTally();
    tally.observe(0, []);
    expect(tally.complete).toBe(true);
  });
});

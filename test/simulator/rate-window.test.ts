import { describe, expect, it } from "vitest";

import { RateWindow } from "../../src/simulator/rate-window.js";

describe("RateWindow", () => {
  it("counts requests per second of the clock and starts again each second", () => {
    const window = new RateWindow();
    const at = (ms: number) => window.tally(ms, 2);
    expect([at(5_000), at(5_400), at(5_999), at(5_999)]).toEqual([false, false, true, true]);
    expect([at(6_000), at(6_001), at(6_002)]).toEqual([false, false, true]);
    // Back in time is another second too: the count follows the clock, whichever way it moves.
    expect(at(5_500)).toBe(false);
  });

  it("counts without a limit, so one set later starts from the requests already made", () => {
    const window = new RateWindow();
    expect([window.tally(0, undefined), window.tally(1, undefined)]).toEqual([false, false]);
    expect(window.tally(2, 2)).toBe(true);
  });
});

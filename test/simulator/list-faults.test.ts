import { describe, expect, it } from "vitest";

import {
  failsInternally,
  resetsConnection,
  throttles,
  truncatesBody,
  type FaultRates,
} from "../../src/simulator/list-faults.js";

const NONE: FaultRates = { resetRate: 0, throttleRate: 0, error5xxRate: 0, truncateRate: 0 };

/** A PRNG that returns `values` in turn and counts its draws. */
function scripted(...values: number[]) {
  const prng = Object.assign(() => values[prng.draws++]!, { draws: 0 });
  return prng;
}

describe("list faults", () => {
  it("each strike below its rate, one draw each, even at a rate of 0", () => {
    const rates: FaultRates = { resetRate: 0.1, throttleRate: 0.2, error5xxRate: 0.3, truncateRate: 0.4 };
    const random = scripted(0.05, 0.25, 0.29, 0.4, 0.5);
    expect(resetsConnection(rates, random)).toBe(true);
    expect(throttles(rates, false, random)).toBe(false);
    expect(failsInternally(rates, random)).toBe(true);
    expect(truncatesBody(rates, random)).toBe(false); // strictly below: a draw equal to the rate misses
    expect(random.draws).toBe(4);
    expect(resetsConnection(NONE, random)).toBe(false);
    expect(random.draws).toBe(5);
  });

  it("throttles a request past the rate limit without a draw", () => {
    const random = scripted(0.99);
    expect(throttles(NONE, true, random)).toBe(true);
    expect(random.draws).toBe(0);
    expect(throttles({ ...NONE, throttleRate: 1 }, false, random)).toBe(true);
    expect(random.draws).toBe(1);
  });
});

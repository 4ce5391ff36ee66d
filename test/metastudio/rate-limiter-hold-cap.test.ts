import { describe, expect, it } from "vitest";

import { createMemoryRateLimiter, holdCapMs } from "../../src/metastudio/rate-limiter.js";

describe("the limiter's hold cap", () => {
  it("is whole seconds, at least one, since the store holds whole seconds", () => {
    expect(holdCapMs(60_000)).toBe(60_000);
    expect(holdCapMs(1500)).toBe(2000);
    expect(holdCapMs(500)).toBe(1000);
    expect(holdCapMs(0)).toBe(1000);
  });

  it.each([100, 400, 1500])("lets a waiter through after a 429 when the cap is %i ms", async (capMs) => {
    const limiter = createMemoryRateLimiter(100, capMs);
    await limiter.penalize!(10_000);
    // Under half a second, the waiter found more than the cap left of the 1 s hold after sleeping
    // the cap, rewrote it, and never got through; the signal only turns that hang into a failure.
    await expect(limiter.acquire(AbortSignal.timeout(15_000))).resolves.toBeUndefined();
  });
});

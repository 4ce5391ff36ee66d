import { describe, expect, it } from "vitest";

import { cachedFieldSets, sortedFieldNames } from "../../src/sync/field-names.js";

describe("sortedFieldNames", () => {
  it("sorts as the default sort does and shares the array for the same names in the same order", () => {
    const names = sortedFieldNames({ b: 1, a: 2, "10": 3, "9": 4, Z: 5 });
    expect(names).toEqual(["10", "9", "Z", "a", "b"]);
    expect(sortedFieldNames({ b: 0, a: 0, "10": 0, "9": 0, Z: 0 })).toBe(names);
  });
  it("tells apart sets of the same size, and finds an earlier set again after another", () => {
    const ab = sortedFieldNames({ a: 1, b: 1 });
    const ac = sortedFieldNames({ a: 1, c: 1 });
    expect(ac).toEqual(["a", "c"]);
    expect(sortedFieldNames({ a: 2, b: 2 })).toBe(ab);
  });
  it("remembers a bounded number of sets, and no item with too many names", () => {
    for (let i = 0; i < 2000; i += 1) sortedFieldNames({ [`k${i}`]: 1, x: 1 });
    expect(cachedFieldSets()).toBeLessThanOrEqual(1024);
    const wide = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`w${i}`, i]));
    const once = sortedFieldNames(wide);
    expect(once).toHaveLength(100);
    expect(sortedFieldNames(wide)).not.toBe(once);
    const long = { ["n".repeat(65)]: 1, a: 1 };
    expect(sortedFieldNames(long)).not.toBe(sortedFieldNames(long));
  });
});

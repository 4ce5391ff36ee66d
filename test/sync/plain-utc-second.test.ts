import { describe, expect, it } from "vitest";

import { isPlainUtcSecond } from "../../src/sync/plain-utc-second.js";

describe("isPlainUtcSecond", () => {
  it("takes the documented form with every field in range, leap days included", () => {
    for (const text of [
      "2021-01-10T08:43:17Z",
      "2024-02-29T00:00:00Z",
      "2000-02-29T12:00:00Z",
      "2024-04-30T23:59:59Z",
      "1000-01-01T00:00:00Z",
      "9999-12-31T23:59:59Z",
    ]) {
      expect([text, isPlainUtcSecond(text)]).toEqual([text, true]);
      // What Postgres reads from it is what node parsed: the same instant at whole seconds.
      expect(new Date(text).toISOString()).toBe(text.replace("Z", ".000Z"));
    }
  });

  it("refuses what V8 parses otherwise than Postgres, or anything else", () => {
    for (const text of [
      "2025-02-29T00:00:00Z",
      "1900-02-29T00:00:00Z",
      "2024-04-31T00:00:00Z",
      "2024-00-10T00:00:00Z",
      "2024-13-10T00:00:00Z",
      "2024-01-00T00:00:00Z",
      "2024-01-32T00:00:00Z",
      "2024-01-01T24:00:00Z",
      "2024-01-01T23:60:00Z",
      "2024-01-01T23:59:60Z",
      "0999-12-31T23:59:59Z",
      "2024-01-01t00:00:00z",
      "2024-01-01 00:00:00Z",
      "2024-01-01T00:00:00.000Z",
      "2024-01-01T00:00:00+00:00",
      "2024-01-01T00:00:0XZ",
      "２０24-01-01T00:00:00Z",
      "",
    ]) {
      expect([text, isPlainUtcSecond(text)]).toEqual([text, false]);
    }
  });
});

import { describe, expect, it } from "vitest";

import { ConfigError } from "../../src/config/config-error.js";
import { readNumber } from "../../src/config/read-env.js";

describe("readNumber", () => {
  it("reads decimal numbers", () => {
    expect(readNumber({ N: "16" }, "N", 1)).toBe(16);
    expect(readNumber({ N: " 2.5 " }, "N", 1)).toBe(2.5);
    expect(readNumber({ N: ".5" }, "N", 1)).toBe(0.5);
    expect(readNumber({}, "N", 7)).toBe(7);
  });

  it.each(["0x10", "0b11", "0o7", "1e3", "Infinity", "-1", "+3", "1_000", "8 rps"])(
    "refuses %j, naming the variable: only decimal is meant as written",
    (raw) => {
      expect(() => readNumber({ METASTUDIO_RATE_LIMIT: raw }, "METASTUDIO_RATE_LIMIT", 8)).toThrow(
        ConfigError,
      );
      expect(() => readNumber({ METASTUDIO_RATE_LIMIT: raw }, "METASTUDIO_RATE_LIMIT", 8)).toThrow(
        /^METASTUDIO_RATE_LIMIT must be a number from 0 to/,
      );
    },
  );

  it("refuses hexadecimal for whole-number settings too", () => {
    expect(() =>
      readNumber({ WORKER_CONCURRENCY: "0x10" }, "WORKER_CONCURRENCY", 4, { integer: true }),
    ).toThrow(/^WORKER_CONCURRENCY must be a whole number from 0 to \d+; got "0x10"\.$/);
  });
});

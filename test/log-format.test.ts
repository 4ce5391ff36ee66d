import { Writable } from "node:stream";

import { describe, expect, it } from "vitest";

import { resolveLogFormat } from "../src/log-format.js";
import { createLogger } from "../src/logger.js";

describe("resolveLogFormat", () => {
  it("is pretty on a terminal and JSON elsewhere, unless LOG_FORMAT says", () => {
    expect(resolveLogFormat({}, true)).toBe("pretty");
    expect(resolveLogFormat({}, false)).toBe("json");
    expect(resolveLogFormat({ LOG_FORMAT: "json" }, true)).toBe("json");
    expect(resolveLogFormat({ LOG_FORMAT: "pretty" }, false)).toBe("pretty");
    expect(() => resolveLogFormat({ LOG_FORMAT: "text" }, true)).toThrow(/LOG_FORMAT must be json or pretty/);
  });
});

describe("createLogger", () => {
  it("drops error records with an err when the command reports errors itself, and keeps the rest", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger("info", sink, { omitReportedErrors: true });
    logger.error({ err: new Error("boom") }, "sync run failed");
    logger.warn({ err: new Error("slow") }, "a warning");
    logger.error("an error without err");
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual([
      "a warning",
      "an error without err",
    ]);
  });
});

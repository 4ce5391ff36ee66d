import { Writable } from "node:stream";

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { ErrorLogThrottle } from "../src/log-throttle.js";
import { createLogger } from "../src/logger.js";

interface Line {
  msg: string;
  level: number;
  repeats?: number;
  err?: { message: string };
}

function capture() {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Line);
      done();
    },
  });
  return { logger: createLogger("info", sink), lines };
}

const refused = () =>
  Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6379"), { code: "ECONNREFUSED" });

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("ErrorLogThrottle", () => {
  it("logs an error at once, then its repeats once per interval with their count", () => {
    const { logger, lines } = capture();
    const throttle = new ErrorLogThrottle(logger, { intervalMs: 10_000 });
    // A Redis refusing every reconnection, seen by three listeners, 5 times a second for 25 s.
    for (let i = 0; i < 125; i += 1) {
      throttle.warn(refused(), "redis connection error");
      throttle.warn(refused(), "queue error");
      throttle.error(refused(), "worker error");
      vi.advanceTimersByTime(200);
    }
    expect(lines.map((l) => [l.msg, l.repeats])).toEqual([
      ["redis connection error", undefined],
      ["worker error (repeated)", 149],
      ["worker error (repeated)", 150],
    ]);
    // Gone quiet: the rest is counted once, then nothing more.
    vi.advanceTimersByTime(60_000);
    expect(lines.map((l) => l.repeats)).toEqual([undefined, 149, 150, 75]);
    // Every one of the 375 is accounted for: one logged, the rest counted.
    expect(1 + lines.reduce((sum, l) => sum + (l.repeats ?? 0), 0)).toBe(375);
    expect(lines.every((l) => l.err?.message === "connect ECONNREFUSED 127.0.0.1:6379")).toBe(true);
    // It came back after the quiet: logged at once again.
    throttle.warn(refused(), "redis connection error");
    expect(lines).toHaveLength(5);
  });

  it("tells kinds apart, and flush reports what is still counted", () => {
    const { logger, lines } = capture();
    const throttle = new ErrorLogThrottle(logger, { intervalMs: 10_000 });
    for (let i = 0; i < 3; i += 1) {
      throttle.warn(refused(), "redis connection error");
      throttle.warn(new Error("WRONGPASS invalid username-password pair"), "redis connection error");
    }
    expect(lines.map((l) => l.err?.message)).toEqual([
      "connect ECONNREFUSED 127.0.0.1:6379",
      "WRONGPASS invalid username-password pair",
    ]);
    throttle.flush();
    expect(lines.slice(2).map((l) => l.repeats)).toEqual([2, 2]);
    vi.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(4);
  });
});

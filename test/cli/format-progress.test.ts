import { describe, expect, it } from "vitest";

import { formatEta, formatProgress, progressTotal } from "../../src/cli/format-progress.js";
import type { RunProgress } from "../../src/sync/run-sync.js";

const progress = (fields: Partial<RunProgress>): RunProgress => ({
  projectId: "p1",
  requests: 0,
  pages: 0,
  rooms: 0,
  windowsDone: 0,
  ...fields,
});

describe("formatProgress", () => {
  it("shows rooms done of the reported total, the share, the rate and the time left", () => {
    const line = formatProgress(
      progress({ rooms: 1200, reported: 5000, windowsReported: 1, windowsPlanned: 1 }),
      3000,
    );
    expect(line).toBe("p1: 1,200 of 5,000 rooms (24%), 400 rooms/s, ETA 10s");
  });

  it("extrapolates the total, marked ~, while some windows have not reported their count", () => {
    const p = progress({ rooms: 150, reported: 200, windowsReported: 2, windowsPlanned: 10 });
    expect(progressTotal(p)).toEqual({ rooms: 1000, estimated: true });
    expect(formatProgress(p, 1000)).toBe("p1: 150 of ~1,000 rooms (15%), 150 rooms/s, ETA 6s");
  });

  it("has no total, share or ETA before the first count arrives", () => {
    expect(formatProgress(progress({ rooms: 0, windowsPlanned: 1 }), 0)).toBe("p1: 0 rooms, 0 rooms/s");
  });

  it("never shows more than 100% or a time left once the total is reached", () => {
    // Repeated passes and the closing read count rooms again.
    const line = formatProgress(
      progress({ rooms: 120, reported: 100, windowsReported: 2, windowsPlanned: 2 }),
      2000,
    );
    expect(line).toBe("p1: 120 of 100 rooms (100%), 60 rooms/s");
  });

  it("says the time left in the largest sensible units", () => {
    expect(formatEta(0.2)).toBe("1s");
    expect(formatEta(59)).toBe("59s");
    expect(formatEta(185)).toBe("3m 05s");
    expect(formatEta(7620)).toBe("2h 07m");
  });
});

import { describe, expect, it } from "vitest";

import { seenResolution } from "../../src/sync/seen-resolution.js";

const startedAt = new Date("2026-12-04T10:00:00Z");
const after = (seconds: number) => new Date(startedAt.getTime() + seconds * 1000);

describe("which last_seen_at a run's success refreshes", () => {
  it("none on a project the mirror held no room of, when the run is younger than the resolution", () => {
    expect(seenResolution({ unstoredAtStart: true, startedAt, finishedAt: after(30) }, 86_400)).toBeNull();
    expect(seenResolution({ unstoredAtStart: true, startedAt, finishedAt: after(60) }, 60)).toBeNull();
  });

  it("those older than the resolution once the run outlasted it, or on a project that held rooms", () => {
    // Its first rooms were seen more than a minute before it ended.
    expect(seenResolution({ unstoredAtStart: true, startedAt, finishedAt: after(61) }, 60)).toBe(60);
    expect(seenResolution({ unstoredAtStart: false, startedAt, finishedAt: after(1) }, 86_400)).toBe(86_400);
  });
});

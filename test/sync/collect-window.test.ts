import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

import { describe, expect, it } from "vitest";

import type { ListPage } from "../../src/metastudio/metastudio-client.js";
import type { SmartChatRoom } from "../../src/metastudio/room-schema.js";
import { clockReached, collectWindow, cutOpenWindow, splitParts } from "../../src/sync/collect-window.js";
import { Semaphore } from "../../src/sync/semaphore.js";
import type { TimeWindow } from "../../src/sync/time-window.js";

// A full collection on demand, so the test can ask whether a page is still reachable.
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

const ROOMS = 250;

function page(offset: number, limit: number): ListPage {
  const rooms: SmartChatRoom[] = [];
  for (let i = offset; i < Math.min(ROOMS, offset + limit); i += 1) {
    rooms.push({ room_id: `r${i}`, room_name: "x".repeat(200), update_time: "2025-01-01T00:00:00Z" });
  }
  return {
    count: ROOMS,
    countConcurrency: undefined,
    countClientNums: undefined,
    countClientNumsToken: undefined,
    rooms,
    invalid: [],
    normalised: [],
    requestId: `req-${offset}`,
    status: 200,
    durationMs: 0,
    attempts: 1,
    parseMs: 0,
  };
}

describe("collectWindow", () => {
  it("keeps no page of a window waiting for a window slot, only what its reading needs", async () => {
    const windowSlots = new Semaphore(1);
    let releaseSlot!: () => void;
    // Another window holds the only slot until the test lets it go.
    const held = windowSlots.run(() => new Promise<void>((resolve) => (releaseSlot = resolve)));
    let firstPage: WeakRef<ListPage> | undefined;
    let handedOn!: () => void;
    const firstHandedOn = new Promise<void>((resolve) => (handedOn = resolve));
    const seen = new Set<string>();
    const completed: number[] = [];

    const collected = collectWindow(
      { start: 0, end: 1000 },
      {
        semaphore: new Semaphore(4),
        windowSlots,
        fetchPage: (_window, offset, limit) => {
          const answer = page(offset, limit);
          if (offset === 0) firstPage = new WeakRef(answer);
          return Promise.resolve(answer);
        },
        onPage: (answer) => {
          for (const room of answer.rooms) seen.add(room.room_id);
          if (answer.requestId === "req-0") handedOn();
          return Promise.resolve();
        },
        onWindowComplete: (_window, count) => completed.push(count),
        clockSkewSeconds: 300,
      },
    );
    await firstHandedOn;
    // Past the job that handed the page on (WeakRefs hold their target until it ends), while the
    // window waits for the slot.
    await new Promise((resolve) => setTimeout(resolve, 10));
    collectGarbage();
    expect(firstPage?.deref()).toBeUndefined();

    releaseSlot();
    await held;
    await collected;
    expect(completed).toEqual([ROOMS]);
    expect(seen.size).toBe(ROOMS);
  });

  it("cuts a window reporting several times maxWindowRooms into that many parts at once, not in halves level by level", async () => {
    // One room a second over [0, 400]; a window holds the rooms stamped within its bounds.
    const stamped = Array.from({ length: 401 }, (_, second) => second);
    const inWindow = (window: TimeWindow) =>
      stamped.filter((second) => second >= window.start! && second <= window.end!);
    const opened: TimeWindow[] = [];
    const seen = new Set<string>();
    await collectWindow(
      { start: 0, end: 400 },
      {
        semaphore: new Semaphore(8),
        maxWindowRooms: 120,
        pageSize: 50,
        fetchPage: (window, offset, limit) => {
          if (offset === 0) opened.push(window);
          const held = inWindow(window);
          const rooms = held
            .slice(offset, offset + limit)
            .map((second) => ({ room_id: `r${second}`, update_time: "2025-01-01T00:00:00Z" }));
          return Promise.resolve({ ...page(0, 0), count: held.length, rooms });
        },
        onPage: (answer) => {
          for (const room of answer.rooms) seen.add(room.room_id);
          return Promise.resolve();
        },
        onWindowComplete: () => {},
        clockSkewSeconds: 300,
      },
    );
    // 401 rooms over at most 120 a window: four parts straight away (in halves it took the two
    // halves, too big, and then their four halves: a level of round trips more).
    expect(opened).toEqual([
      { start: 0, end: 400 },
      { start: 300, end: 400 },
      { start: 200, end: 300 },
      { start: 100, end: 200 },
      { start: 0, end: 100 },
    ]);
    expect(seen.size).toBe(401);
  });

  it("cuts into no more parts than there are page slots, and never fewer than two", () => {
    expect(splitParts(20_000, 5000, 8)).toBe(4);
    expect(splitParts(1_000_000, 5000, 8)).toBe(8);
    expect(splitParts(5001, 5000, 8)).toBe(2);
    expect(splitParts(50_000, 5000, 1)).toBe(2);
  });
});

describe("where an open window is cut", () => {
  const seconds = (stamp: string) => Date.parse(stamp) / 1000;
  const answer = (date: string | undefined, ...stamps: string[]) => ({
    date,
    rooms: stamps.map((update_time, i) => ({ room_id: `r${i}`, update_time })),
  });
  const header = "Fri, 04 Dec 2026 08:00:00 GMT";
  const headerSecond = seconds("2026-12-04T08:00:00Z");
  const askedAt = seconds("2026-12-04T08:00:00.700Z");
  const skew = 300;
  const open = { start: seconds("2026-12-04T07:00:00Z"), end: null };

  it("goes by the Date header alone: a room stamped in 2099 cuts no later than the upstream's now", () => {
    const reached = clockReached(
      answer(header, "2026-12-04T07:59:58Z", "2099-01-01T00:00:00Z"),
      askedAt,
      skew,
    );
    expect(reached).toBe(headerSecond);
    // The settled part ends before the header's second: an edit made after this answer is
    // stamped no earlier than it, so it lands in the rest, never in a part read as settled.
    expect(cutOpenWindow(open, reached)).toEqual([
      { start: open.start, end: headerSecond - 1 },
      { start: headerSecond - 1, end: null },
    ]);
  });

  it("with a Date header, takes no stamp after it, even one a clock could have made", () => {
    // Within HEADER_ALLOWANCE_SECONDS it counts as the upstream's clock, but it may be bad data
    // too: cut there, the settled part would hold the upstream's next seconds.
    expect(clockReached(answer(header, "2026-12-04T08:00:01Z"), askedAt, skew)).toBe(headerSecond);
    expect(clockReached(answer(header, "2026-12-04T08:00:05Z"), askedAt, skew)).toBe(headerSecond);
    // A quiet window: the header settles every second before it, tolerance or not.
    expect(clockReached(answer(header, "2026-12-01T00:00:00Z"), askedAt, skew)).toBe(headerSecond);
    expect(clockReached(answer(header), askedAt, skew)).toBe(headerSecond);
  });

  it("without a Date header, goes by our clock less the tolerance, whatever the rooms are stamped", () => {
    const allowed = headerSecond - skew;
    // An upstream up to the tolerance behind ours may hold a room stamped past its clock, in 2099
    // or just past ours: nothing tells it from an honest stamp, so no stamp moves the cut later.
    expect(clockReached(answer(undefined, "2099-01-01T00:00:00Z"), askedAt, skew)).toBe(allowed);
    expect(clockReached(answer(undefined, "2026-12-04T08:00:30Z"), askedAt, skew)).toBe(allowed);
    expect(clockReached(answer(undefined, "2026-12-04T07:59:58Z"), askedAt, skew)).toBe(allowed);
    // Nor earlier: the tolerance already shows the upstream's clock past an older stamp, or none.
    expect(clockReached(answer(undefined, "2026-12-04T07:30:00Z"), askedAt, skew)).toBe(allowed);
    expect(clockReached(answer(undefined), askedAt, skew)).toBe(allowed);
    const reached = clockReached(answer("not a date", "2099-01-01T00:00:00Z"), askedAt, skew);
    expect(cutOpenWindow(open, reached)?.[0]).toEqual({ start: open.start, end: allowed - 1 });
  });

  it("is not cut where the tolerance leaves nothing settled", () => {
    const recent = { start: headerSecond - skew - 1, end: null };
    expect(
      cutOpenWindow(recent, clockReached(answer(undefined, "2099-01-01T00:00:00Z"), askedAt, skew)),
    ).toBeNull();
  });
});

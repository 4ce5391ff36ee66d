import { describe, expect, it } from "vitest";

import {
  HEADER_ALLOWANCE_SECONDS,
  MAX_STAMP_LEAD_SECONDS,
  UpstreamClock,
  clockStampLimit,
  latestClockStamp,
  latestStamp,
} from "../../src/sync/upstream-clock.js";

describe("UpstreamClock", () => {
  const at = new Date("2026-01-01T00:00:00Z");
  it("measures an upstream ahead from rooms stamped after our now", () => {
    const clock = new UpstreamClock();
    clock.observe(
      { rooms: [{ update_time: "2026-01-01T00:02:00Z", create_time: "2025-01-01T00:00:00Z" }] },
      at,
    );
    expect(clock.offsetSeconds).toBe(120);
    expect(clock.measured).toBe(true);
  });
  it("measures an upstream behind from the Date header, never less than the stamps prove", () => {
    const clock = new UpstreamClock();
    clock.observe({ date: "Wed, 31 Dec 2025 23:56:00 GMT", rooms: [] }, at);
    expect(clock.offsetSeconds).toBe(-240);
    // The header's second had begun before it was sent: a room stamped in the next one is the clock.
    clock.observe(
      { date: "Wed, 31 Dec 2025 23:56:00 GMT", rooms: [{ update_time: "2025-12-31T23:56:02Z" }] },
      at,
    );
    expect(clock.offsetSeconds).toBe(-238);
    expect(clock.readingOffsetSeconds).toBe(-240);
    expect(clock.futureStamps).toEqual([]);
  });
  it("knows nothing without a header or a stamp ahead", () => {
    const clock = new UpstreamClock();
    clock.observe({ rooms: [{ update_time: "2025-01-01T00:00:00Z" }] }, at);
    expect(clock.measured).toBe(false);
    expect(clock.offsetSeconds).toBe(0);
    expect(latestStamp([{ update_time: "bad" }, { create_time: "1970-01-01T00:01:40Z" }])).toBe(100);
    expect(latestStamp([])).toBeUndefined();
    expect(latestStamp([{ update_time: null, create_time: "" }, { update_time: "never" }])).toBeUndefined();
    // Whole seconds, rounded down also before 1970; either stamp of any room may be the latest.
    expect(latestStamp([{ create_time: "1969-12-31T23:59:59.500Z" }])).toBe(-1);
    expect(
      latestStamp([
        { update_time: "2024-01-01T10:00:00Z", create_time: "2024-01-01T11:00:00.999+02:00" },
        { update_time: "2024-01-01T09:30:00-00:31", create_time: null },
      ]),
    ).toBe(Date.UTC(2024, 0, 1, 10, 1) / 1000);
  });
  it("finds the latest stamp compared as text exactly as parsed, whatever the forms mixed in", () => {
    const parsed = (rooms: Array<{ update_time?: string; create_time?: string }>) => {
      const all = rooms.flatMap((r) => [r.update_time, r.create_time]).map((t) => (t ? Date.parse(t) : NaN));
      const latest = Math.max(...all.filter((t) => !Number.isNaN(t)));
      return latest === -Infinity ? undefined : Math.floor(latest / 1000);
    };
    const forms = [
      "2024-03-01T10:00:00Z",
      "2024-03-01T09:59:59Z",
      "2024-03-01T10:00:00.999Z",
      "2024-03-01T12:00:00+02:00",
      "2024-03-01T10:00:01+00:00",
      "2024-02-29T23:59:59Z",
      "1999-12-31T23:59:59Z",
      "2024-03-01 10:00:02",
      "2024-02-30T10:00:00Z",
      "bad",
    ];
    for (const [i, a] of forms.entries()) {
      for (const b of forms.slice(i)) {
        const rooms = [{ update_time: a }, { update_time: "2020-01-01T00:00:00Z", create_time: b }];
        expect(latestStamp(rooms), `${a} / ${b}`).toBe(parsed(rooms));
      }
    }
  });
});

describe("UpstreamClock and a room stamped far in the future", () => {
  // Our clock, and the upstream's as its Date header gives it: 2026-01-01T00:00:00Z.
  const at = new Date("2026-01-01T00:00:00Z");
  const date = "Thu, 01 Jan 2026 00:00:00 GMT";
  const future = {
    room_id: "r-2099",
    update_time: "2099-01-01T00:00:00Z",
    create_time: "2025-06-01T00:00:00Z",
  };

  it("takes it as data, not as the upstream's clock, when the answer has a Date header", () => {
    const clock = new UpstreamClock();
    clock.observe({ date, rooms: [{ room_id: "r-old", update_time: "2025-12-31T23:00:00Z" }, future] }, at);
    clock.observe({ date, rooms: [future] }, at);
    expect(clock.offsetSeconds).toBe(0);
    expect(clock.readingOffsetSeconds).toBe(0);
    expect(clock.futureStamps).toEqual([
      {
        roomId: "r-2099",
        field: "update_time",
        stamp: "2099-01-01T00:00:00Z",
        limit: at.getTime() / 1000 + HEADER_ALLOWANCE_SECONDS,
        byHeader: true,
      },
    ]);
    expect(clock.moreFutureStamps).toBe(false);
  });

  it("still measures the upstream ahead from the other rooms of the page", () => {
    const clock = new UpstreamClock();
    const ahead = "Thu, 01 Jan 2026 00:02:00 GMT";
    clock.observe(
      { date: ahead, rooms: [future, { room_id: "r", update_time: "2026-01-01T00:02:03Z" }] },
      at,
    );
    expect(clock.offsetSeconds).toBe(123);
    expect(clock.readingOffsetSeconds).toBe(120);
    // Past the header's allowance, a stamp two minutes ahead of ours is data too.
    clock.observe({ date, rooms: [{ room_id: "r-soon", create_time: "2026-01-01T00:00:06Z" }] }, at);
    expect(clock.futureStamps.map((f) => [f.roomId, f.field])).toEqual([
      ["r-2099", "update_time"],
      ["r-soon", "create_time"],
    ]);
  });

  it("without a header, counts no stamp more than a day ahead, and reads by our clock", () => {
    const clock = new UpstreamClock();
    clock.observe({ rooms: [future] }, at);
    expect(clock.measured).toBe(false);
    expect(clock.offsetSeconds).toBe(0);
    expect(clock.futureStamps).toMatchObject([
      { roomId: "r-2099", limit: at.getTime() / 1000 + MAX_STAMP_LEAD_SECONDS, byHeader: false },
    ]);
    // A stamp within a day is reported as the clock's, but the reads never go by a stamp: it may
    // be data just the same, and the upstream behind us by the whole tolerance.
    clock.observe({ rooms: [{ room_id: "r", update_time: "2026-01-01T02:00:00Z" }] }, at);
    expect(clock.measured).toBe(true);
    expect(clock.offsetSeconds).toBe(7200);
    expect(clock.readingOffsetSeconds).toBe(0);
  });

  it("names each room once, and only the first few of a list stamped in the future", () => {
    const clock = new UpstreamClock();
    const rooms = Array.from({ length: 30 }, (_, i) => ({ ...future, room_id: `r-${i}` }));
    for (let pass = 0; pass < 3; pass += 1) clock.observe({ date, rooms }, at);
    expect(clock.futureStamps.map((f) => f.roomId)).toEqual(rooms.slice(0, 10).map((r) => r.room_id));
    expect(clock.moreFutureStamps).toBe(true);
    expect(clock.offsetSeconds).toBe(0);
  });
});

describe("the latest stamp a clock could have made", () => {
  const seconds = (stamp: string) => Date.parse(stamp) / 1000;
  const receivedAt = seconds("2026-01-01T00:00:00.400Z");
  const rooms = [
    { room_id: "r-2099", update_time: "2099-01-01T00:00:00Z", create_time: "2025-06-01T00:00:00Z" },
    { room_id: "r-soon", update_time: "2026-01-01T00:00:06Z" },
    { room_id: "r", update_time: "2025-12-31T23:59:58Z" },
  ];

  it("is bounded by the Date header plus the allowance, or without one by ours plus a day", () => {
    const byHeader = clockStampLimit("Thu, 01 Jan 2026 00:00:00 GMT", receivedAt);
    expect(byHeader).toEqual({ limit: seconds("2026-01-01T00:00:05Z"), byHeader: true });
    expect(latestClockStamp(rooms, byHeader.limit)).toBe(seconds("2025-12-31T23:59:58Z"));
    const byOurs = clockStampLimit(undefined, receivedAt);
    expect(byOurs).toEqual({ limit: seconds("2026-01-02T00:00:00Z"), byHeader: false });
    expect(latestClockStamp(rooms, byOurs.limit)).toBe(seconds("2026-01-01T00:00:06Z"));
  });

  it("names each stamp past the limit, and is undefined when every stamp is", () => {
    const beyond: string[] = [];
    const limit = seconds("2026-01-01T00:00:05Z");
    latestClockStamp(rooms, limit, (room, field) => beyond.push(`${room.room_id} ${field}`));
    expect(beyond).toEqual(["r-2099 update_time", "r-soon update_time"]);
    expect(latestClockStamp([{ update_time: "2099-01-01T00:00:00Z" }], limit)).toBeUndefined();
  });
});

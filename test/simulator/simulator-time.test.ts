import { afterEach, describe, expect, it } from "vitest";

import { rfc3339 } from "../../src/simulator/prng.js";
import { startSimulator, type Simulator, type SimulatorOptions } from "../../src/simulator/simulator.js";

const TOKEN = "sim-time-token";
const P = "p-time";
/** Our clock in these tests: fixed, moved by hand. */
let ourMs = Date.parse("2026-03-01T12:00:00Z");
let sim: Simulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(options: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  ourMs = Date.parse("2026-03-01T12:00:00Z");
  sim = await startSimulator({
    projectIds: [P],
    roomsPerProject: 200,
    credentials: { accessKeys: {}, tokens: [TOKEN], iamUsers: [] },
    now: () => new Date(ourMs),
    ...options,
  });
  return sim;
}

interface ListBody {
  count: number;
  smart_chat_rooms: Array<{ room_id: string; update_time: string; create_time: string }>;
}

async function list(
  s: Simulator,
  query: Record<string, string> = {},
): Promise<{ body: ListBody; date: string }> {
  const params = new URLSearchParams({ limit: "100", ...query });
  const response = await fetch(`${s.url}/v1/${P}/smart-chat-rooms?${params.toString()}`, {
    headers: { "X-Auth-Token": TOKEN },
  });
  expect(response.status).toBe(200);
  return { body: (await response.json()) as ListBody, date: response.headers.get("date") ?? "" };
}

const ours = (offsetSeconds = 0) => rfc3339(Math.floor(ourMs / 1000) + offsetSeconds);

describe("the simulator's clock offset", () => {
  for (const offset of [120, -240]) {
    it(`stamps rooms and its Date header with our clock ${offset > 0 ? "+" : ""}${offset} s`, async () => {
      const s = await start({ behaviour: { clockOffsetSeconds: offset } });
      expect(s.upstreamNow().getTime()).toBe(ourMs + offset * 1000);
      const created = s.createRoom(P);
      expect(created.create_time).toBe(ours(offset));
      expect(created.update_time).toBe(ours(offset));
      const old = s.rooms(P).find((r) => r.room_id !== created.room_id)!;
      ourMs += 5_000;
      const edited = s.updateRoom(P, String(old.room_id), { room_name: "edited" });
      expect(edited.update_time).toBe(ours(offset));
      expect(edited.create_time).toBe(old.create_time);

      const { date } = await list(s);
      expect(Date.parse(date)).toBe(ourMs + offset * 1000);
      // A window ending at our now holds the new rooms only if the upstream is behind us.
      const untilOurNow = await list(s, { start_time: ours(-3600), end_time: ours() });
      expect(untilOurNow.body.count).toBe(offset > 0 ? 0 : 2);
      const open = await list(s, { start_time: ours(-3600) });
      expect(open.body.smart_chat_rooms.map((r) => r.room_id).sort()).toEqual(
        [created.room_id, edited.room_id].sort(),
      );
    });
  }

  it("sends the upstream's Date on refusals and IAM answers too, and can change it mid-flight", async () => {
    const s = await start();
    s.setBehaviour({ clockOffsetSeconds: 90 });
    const missing = await fetch(`${s.url}/nowhere`);
    expect(missing.status).toBe(404);
    expect(Date.parse(missing.headers.get("date")!)).toBe(ourMs + 90_000);
    const unknown = await fetch(`${s.url}/v1/someone-else/smart-chat-rooms`, {
      headers: { "X-Auth-Token": TOKEN },
    });
    expect(unknown.status).toBe(404);
    expect(Date.parse(unknown.headers.get("date")!)).toBe(ourMs + 90_000);
  });

  it("keeps an exclusive end_time exclusive at the upstream's second", async () => {
    const s = await start({ behaviour: { clockOffsetSeconds: 120, endTimeInclusive: false } });
    const room = s.createRoom(P);
    const at = String(room.update_time);
    expect((await list(s, { start_time: ours(-60), end_time: at })).body.count).toBe(0);
    expect((await list(s, { start_time: at, end_time: ours(121) })).body.count).toBe(1);
    s.setBehaviour({ endTimeInclusive: true });
    expect((await list(s, { start_time: ours(-60), end_time: at })).body.count).toBe(1);
  });

  it("filters on create_time when told to, so an edit does not move a room into a new window", async () => {
    const s = await start({ behaviour: { clockOffsetSeconds: 120, timeFilterField: "create_time" } });
    const old = s.rooms(P)[0]!;
    s.updateRoom(P, String(old.room_id));
    expect((await list(s, { start_time: ours(-3600) })).body.count).toBe(0);
    s.createRoom(P);
    expect((await list(s, { start_time: ours(-3600) })).body.count).toBe(1);
    s.setBehaviour({ timeFilterField: "ignored" });
    expect((await list(s, { start_time: ours(-3600) })).body.count).toBe(201);
  });
});

describe("the simulator's churn", () => {
  it("edits rooms at a steady rate per request, stamped by the upstream's clock, deleting none", async () => {
    const s = await start({
      behaviour: {
        clockOffsetSeconds: -240,
        churn: { perRequest: 1, perSecond: 0, mix: { create: 0, update: 1, delete: 0 } },
      },
    });
    const before = new Set(s.rooms(P).map((r) => r.room_id));
    for (let i = 0; i < 10; i += 1) await list(s, { offset: String(i * 10) });
    expect(s.changeCounts(P)).toEqual({ create: 0, update: 10, delete: 0 });
    const after = s.rooms(P);
    expect(new Set(after.map((r) => r.room_id))).toEqual(before);
    const edited = after.filter((r) => r.update_time === ours(-240));
    expect(edited.length).toBeGreaterThan(0);
    expect(edited.length).toBeLessThanOrEqual(10);
    expect(edited.every((r) => String(r.room_name).startsWith("changed while paging"))).toBe(true);
    expect(s.deletedRoomIds(P).size).toBe(0);
  });

  it("changes rooms per second of our clock, made before the request that finds them due", async () => {
    const s = await start({
      behaviour: { churn: { perRequest: 0, perSecond: 4, mix: { create: 1, update: 0, delete: 0 } } },
    });
    await list(s);
    expect(s.rooms(P).length).toBe(200);
    ourMs += 2_500;
    const { body } = await list(s);
    expect(body.count).toBe(210);
    expect(s.changeCounts(P).create).toBe(10);
    s.setBehaviour({ churn: { perRequest: 0, perSecond: 0, mix: { create: 1, update: 0, delete: 0 } } });
    ourMs += 60_000;
    await list(s);
    expect(s.rooms(P).length).toBe(210);
  });

  it("records every room it ever deleted, by churn, by mutationsPerRequest or by hand, even if it comes back", async () => {
    const s = await start({
      seed: 5,
      behaviour: { churn: { perRequest: 1, perSecond: 0, mix: { create: 1, update: 1, delete: 2 } } },
    });
    const before = new Set(s.rooms(P).map((r) => String(r.room_id)));
    for (let i = 0; i < 20; i += 1) await list(s);
    s.setBehaviour({
      churn: { perRequest: 0, perSecond: 0, mix: { create: 0, update: 1, delete: 0 } },
      mutationsPerRequest: { create: 0, update: 0, delete: 2 },
    });
    await list(s);
    s.setBehaviour({ mutationsPerRequest: { create: 0, update: 0, delete: 0 } });
    const byHand = s.rooms(P)[0]!;
    s.deleteRoom(P, String(byHand.room_id));
    s.createRoom(P, { ...byHand, update_time: undefined });

    const now = new Set(s.rooms(P).map((r) => String(r.room_id)));
    const gone = [...before].filter((id) => !now.has(id));
    const deleted = s.deletedRoomIds(P);
    expect(gone.every((id) => deleted.has(id))).toBe(true);
    expect(deleted.has(String(byHand.room_id))).toBe(true);
    expect(now.has(String(byHand.room_id))).toBe(true);
    const counts = s.changeCounts(P);
    // Churned deletions may hit rooms churn created earlier: those are deleted IDs too.
    expect(deleted.size).toBe(counts.delete + 1);
    expect(counts.delete).toBeGreaterThanOrEqual(2);
    expect(counts.create + counts.update + counts.delete).toBe(22);
  });

  it("makes the same changes for the same seed and requests", async () => {
    const run = async () => {
      const s = await start({
        seed: 9,
        behaviour: { churn: { perRequest: 1.5, perSecond: 0, mix: { create: 1, update: 3, delete: 1 } } },
      });
      for (let i = 0; i < 8; i += 1) await list(s);
      const rooms = s
        .rooms(P)
        .map((r) => JSON.stringify(r))
        .sort();
      await s.close();
      sim = undefined;
      return rooms;
    };
    expect(await run()).toEqual(await run());
  });

  it("refuses a negative rate", async () => {
    const s = await start();
    expect(() =>
      s.setBehaviour({ churn: { perRequest: -1, perSecond: 0, mix: { create: 0, update: 1, delete: 0 } } }),
    ).toThrow(/non-negative/);
    await expect(
      startSimulator({
        projectIds: [P],
        credentials: { accessKeys: {}, tokens: [TOKEN], iamUsers: [] },
        behaviour: {
          churn: {
            perRequest: 0,
            perSecond: Number.POSITIVE_INFINITY,
            mix: { create: 0, update: 1, delete: 0 },
          },
        },
      }),
    ).rejects.toThrow(/finite/);
  });
});

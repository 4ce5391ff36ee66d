import { describe, expect, it } from "vitest";

import { ItemTexts } from "../../src/simulator/item-texts.js";
import { RoomStore, type ListBehaviour } from "../../src/simulator/room-store.js";

const behaviour: ListBehaviour = {
  timeFilterField: "update_time",
  endTimeInclusive: true,
  order: "update_time_desc",
  unstableOrder: false,
};
const room = (id: string, concurrency: number) => ({
  room_id: id,
  concurrency,
  update_time: "2024-01-01T00:00:00Z",
});

describe("RoomStore totals", () => {
  it("recounts the whole list's totals after a room changes or goes", () => {
    const store = new RoomStore([room("a", 2), room("b", 3)] as never);
    const list = () => store.list({ offset: 0, limit: 1 }, behaviour, Math.random);
    expect(list().countConcurrency).toBe(5);
    store.put("a", room("a", 10));
    expect(list().countConcurrency).toBe(13);
    store.delete("b");
    expect(list()).toMatchObject({ count: 1, countConcurrency: 10 });
  });
});

describe("RoomStore pages", () => {
  const at = (second: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, second)).toISOString();
  const seconds = (second: number) => Date.UTC(2024, 0, 1, 0, 0, second) / 1000;
  interface TestRoom {
    room_id: string;
    update_time: string;
    billing_mode: string;
    concurrency?: number;
    client_nums?: number;
  }
  const rooms = Array.from({ length: 50 }, (_, i): TestRoom => ({
    room_id: `r${String(i).padStart(2, "0")}`,
    update_time: at(i),
    billing_mode: i % 3 === 0 ? "CLIENT_TOKENS" : "CLIENT",
    ...(i % 2 === 0 ? { concurrency: i } : { client_nums: i * 7 }),
  }));

  it("counts a window's totals as a walk over its rooms would", () => {
    const store = new RoomStore(rooms as never);
    for (const [start, end] of [
      [0, 49],
      [10, 20],
      [7, 7],
      [30, 29],
      [-5, 100],
    ] as const) {
      const inside = rooms.filter((_, i) => i >= start && i <= end);
      const result = store.list(
        { offset: 0, limit: 5, start: seconds(start), end: seconds(end) },
        behaviour,
        Math.random,
      );
      expect(result).toMatchObject({
        count: inside.length,
        countConcurrency: inside.reduce((sum, r) => sum + (r.concurrency ?? 0), 0),
        countClientNums: inside.reduce(
          (s, r) => s + (r.billing_mode === "CLIENT" ? (r.client_nums ?? 0) : 0),
          0,
        ),
        countClientNumsToken: inside.reduce(
          (s, r) => s + (r.billing_mode === "CLIENT" ? 0 : (r.client_nums ?? 0)),
          0,
        ),
      });
      expect(result.page).toEqual(inside.reverse().slice(0, 5));
    }
  });

  it("counts a window around an item whose numbers a running sum cannot carry", () => {
    const store = new RoomStore(rooms as never);
    store.inject({ room_id: "huge", update_time: at(40), concurrency: 1e300 });
    store.inject({ room_id: "half", update_time: at(45), concurrency: 0.5 });
    const window = (start: number, end: number) =>
      store.list({ offset: 0, limit: 1, start: seconds(start), end: seconds(end) }, behaviour, Math.random);
    expect(window(0, 10).countConcurrency).toBe(30);
    expect(window(44, 46).countConcurrency).toBe(44 + 46 + 0.5);
    expect(window(40, 40).countConcurrency).toBe(40 + 1e300);
  });

  it("writes a page's text as JSON.stringify would, serialising each item once", () => {
    let serialised = 0;
    const counted = {
      room_id: "counted",
      update_time: at(3),
      toJSON: () => ((serialised += 1), { room_id: "counted" }),
    };
    const store = new RoomStore([...rooms, counted] as never);
    store.inject({
      room_id: "odd",
      update_time: at(2),
      name: 'quote " and \u2028',
      nested: [1, { b: null }],
    });
    const first = store.list({ offset: 44, limit: 10 }, behaviour, Math.random);
    const again = store.list({ offset: 44, limit: 10 }, behaviour, Math.random);
    expect(serialised).toBe(1);
    expect(again.pageText.toString()).toBe(first.pageText.toString());
    expect(first.pageText.toString()).toBe(JSON.stringify(first.page));
  });

  it("serves rooms past the text budget as rooms within it, and gets a replaced room's share back", () => {
    const oneRoom = ItemTexts.serialise(rooms[0]).length;
    const texts = new ItemTexts(oneRoom * 3);
    const store = new RoomStore(rooms.slice(0, 10) as never, texts);
    const page = store.list({ offset: 0, limit: 10 }, behaviour, Math.random);
    expect(page.pageText.toString()).toBe(JSON.stringify(page.page));
    expect(texts.keep({})).toBeUndefined();
    for (const room of rooms.slice(0, 10)) store.delete(room.room_id);
    expect(texts.keep({})?.toString()).toBe("{}");
  });
});

describe("RoomStore views after changes", () => {
  // Views are merged with the changed rooms instead of sorted again: every order must list what a
  // store built from scratch on the same rooms lists, ties (equal times) included.
  it("lists what a fresh store lists, after puts, moves and deletes", () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const time = (second: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, second)).toISOString();
    const item = (id: string) => ({
      room_id: id,
      // Few distinct seconds, so ties are common and the key decides them.
      update_time: time(Math.floor(random() * 20)),
      create_time: time(Math.floor(random() * 20)),
      concurrency: Math.floor(random() * 10),
    });
    const rooms = new Map(Array.from({ length: 200 }, (_, i) => [`r${i}`, item(`r${i}`)]));
    const store = new RoomStore([...rooms.values()] as never);
    const orders = ["update_time_desc", "update_time_asc", "create_time_desc"] as const;
    const listing = (target: RoomStore, order: (typeof orders)[number]) =>
      target.list({ offset: 0, limit: 1000 }, { ...behaviour, order }, random);
    for (let round = 0; round < 30; round += 1) {
      // A few changes (merged), now and then many (sorted afresh).
      const changes = round % 10 === 9 ? 80 : 1 + Math.floor(random() * 6);
      for (let c = 0; c < changes; c += 1) {
        const id = `r${Math.floor(random() * 260)}`;
        if (random() < 0.2) {
          store.delete(id);
          rooms.delete(id);
        } else {
          const next = item(id);
          store.put(id, next);
          rooms.set(id, next);
        }
      }
      // A room put twice, and one deleted then put again, before any view is refreshed.
      for (const id of [`r${round}`, `r${round}`, `r${round + 100}`]) {
        const next = item(id);
        store.put(id, next);
        rooms.set(id, next);
      }
      store.delete(`r${round + 50}`);
      const back = item(`r${round + 50}`);
      store.put(`r${round + 50}`, back);
      rooms.set(`r${round + 50}`, back);
      const fresh = new RoomStore([...rooms.values()] as never);
      // Each order is looked at every other round only, so a view carries changes across rounds.
      for (const order of orders.filter((_, k) => (round + k) % 2 === 0)) {
        const got = listing(store, order);
        const want = listing(fresh, order);
        expect(got.page.map((r) => (r as { room_id: string }).room_id)).toEqual(
          want.page.map((r) => (r as { room_id: string }).room_id),
        );
        expect(got.countConcurrency).toBe(want.countConcurrency);
      }
    }
  });
});

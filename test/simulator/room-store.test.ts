import { describe, expect, it } from "vitest";

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

import { describe, expect, it } from "vitest";

import { expectExactMirror } from "../../bench/expect-exact-mirror.js";
import { useTestDatabase } from "../support/use-test-database.js";

const database = useTestDatabase();

describe("expectExactMirror", () => {
  it("stops the bench, naming the scenario and the difference, when the mirror misses a room", async () => {
    const upstream = [{ room_id: "room-1", room_name: "Lobby" }];
    await expect(expectExactMirror(database.url, "p", upstream, "naive's full again run")).rejects.toThrow(
      "the mirror is not exact after naive's full again run: 1 missing (e.g. missing room-1: no row in the mirror)",
    );
  });

  it("lets an exact mirror pass", async () => {
    await expect(expectExactMirror(database.url, "p", [], "the quiet run")).resolves.toBeUndefined();
  });
});

describe("expectExactMirror above the room-by-room size", () => {
  it("counts live rooms, so a mirror missing one still stops the bench", async () => {
    const upstream = [{ room_id: "room-1" }, { room_id: "room-2" }];
    await expect(expectExactMirror(database.url, "p", upstream, "the full run", 1)).rejects.toThrow(
      "the mirror is not exact after the full run: 0 live and 0 deleted rooms for 2 upstream, none deleted",
    );
  });

  it("lets a mirror with every upstream room live pass", async () => {
    await expect(expectExactMirror(database.url, "p", [], "the quiet run", -1)).resolves.toBeUndefined();
  });
});

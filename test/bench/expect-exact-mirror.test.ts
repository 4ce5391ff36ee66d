import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { expectExactMirror } from "../../bench/expect-exact-mirror.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

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

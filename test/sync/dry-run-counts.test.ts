import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startHarness, type Harness } from "../support/sync-harness.js";
import { useTestDatabase } from "../support/use-test-database.js";

const database = useTestDatabase();
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness(database, { projectIds: ["p-dry"], roomsPerProject: 1500 });
});
afterAll(async () => {
  await harness.close();
});

describe("a dry run's counts", () => {
  // Split windows read some rooms twice (a parent window's first page, then the child's), in
  // different batches; nothing is written in a dry run, so each sighting counted as a new room:
  // npm run drill showed "roomsInserted 4000" for 3000 rooms.
  it("count every room once, however often the windows read it", async () => {
    const dry = await harness.run("p-dry", { dryRun: true }, { maxWindowRooms: 300, batchSize: 100 });
    expect(dry.counts.requests).toBeGreaterThan(15);
    expect(dry.counts).toMatchObject({ roomsSeen: 1500, roomsInserted: 1500, roomsUpdated: 0 });

    const real = await harness.run("p-dry", {}, { maxWindowRooms: 300, batchSize: 100 });
    expect(real.counts.roomsInserted).toBe(1500);
    const rooms = harness.sim.rooms("p-dry").slice(0, 20);
    for (const room of rooms) harness.sim.updateRoom("p-dry", String(room.room_id), { room_name: "renamed" });
    const again = await harness.run("p-dry", { dryRun: true }, { maxWindowRooms: 300, batchSize: 100 });
    expect(again.counts).toMatchObject({ roomsInserted: 0, roomsUpdated: 20 });
  });
});

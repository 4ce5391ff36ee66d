import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { type Database } from "../../src/db/database.js";
import { openDatabase } from "../../src/db/open-database.js";
import { migrate } from "../../src/db/migrate.js";
import { expectExactMirror, startHarness, type Harness } from "../support/sync-harness.js";

/** The core of the sync suite again, on the embedded database `sync` uses without DATABASE_URL. */
let dir: string;
let database: Database;
let harness: Harness;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "msync-embedded-"));
  database = await openDatabase({ databaseUrl: undefined, embeddedDataDir: dir });
  await migrate(database);
  harness = await startHarness(database, { projectIds: ["p-embedded"], roomsPerProject: 600, seed: 11 });
});
afterAll(async () => {
  await harness.close();
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("runSync on the embedded database", () => {
  it("mirrors exactly, stays quiet, follows changes and deletions", async () => {
    expect(database.kind).toBe("embedded");
    const full = await harness.run("p-embedded", {}, { maxWindowRooms: 200 });
    expect(full.counts.roomsInserted).toBe(600);
    await expectExactMirror(database, harness.sim, "p-embedded");

    const quiet = await harness.run("p-embedded", { mode: "incremental" });
    expect(quiet.roomRowsWritten + quiet.voiceRowsWritten).toBe(0);

    const [first, second] = harness.sim.rooms("p-embedded");
    harness.sim.updateRoom("p-embedded", String(first!.room_id), { room_name: "renamed" });
    harness.sim.deleteRoom("p-embedded", String(second!.room_id));
    const incremental = await harness.run("p-embedded", { mode: "incremental" });
    expect(incremental.counts.roomsUpdated).toBe(1);
    const reconcile = await harness.run("p-embedded");
    expect(reconcile.counts.roomsDeleted).toBe(1);
    await expectExactMirror(database, harness.sim, "p-embedded");
  });

  it("keeps the data on disk across reopening", async () => {
    await database.close();
    database = await openDatabase({ databaseUrl: undefined, embeddedDataDir: dir });
    await migrate(database);
    await expectExactMirror(database, harness.sim, "p-embedded");
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { expectExactMirror, startHarness, type Harness } from "../support/sync-harness.js";
import { useTestDatabase } from "../support/use-test-database.js";

const database = useTestDatabase();
let harness: Harness;
const ROOMS = 1500;
beforeAll(async () => {
  harness = await startHarness(database, { projectIds: ["p-quiet"], roomsPerProject: ROOMS });
  // Counts every row written to the table that stores seen rooms, whatever its shape: the rows
  // are deleted again when the run ends, so only a trigger sees how many there were.
  await database.pool.query(`
    create table seen_rows_written (n bigint not null);
    create function count_seen_row() returns trigger language plpgsql as
      $$ begin insert into seen_rows_written values (1); return null; end $$;
    do $$ begin
      execute format('create trigger count_seen after insert on %s for each row execute function count_seen_row()',
                     coalesce(to_regclass('sync_seen_batches'), to_regclass('sync_seen_rooms')));
    end $$;`);
});
afterAll(async () => {
  await harness.close();
});

describe("a quiet full run's seen rooms", () => {
  it("cost a row per batch, not per room, and no room is judged deleted", async () => {
    const first = await harness.run("p-quiet");
    expect(first.counts.roomsInserted).toBe(ROOMS);
    await database.pool.query("truncate seen_rows_written");

    const quiet = await harness.run("p-quiet");
    expect(quiet.status).toBe("succeeded");
    expect(quiet.counts.roomsUnchanged).toBe(ROOMS);
    expect(quiet.counts.roomsDeleted).toBe(0);
    const written = await database.pool.query("select count(*)::int as n from seen_rows_written");
    // Each batch write follows at least one page; a row per room would be 1,500.
    expect(written.rows[0].n).toBeGreaterThan(0);
    expect(written.rows[0].n).toBeLessThanOrEqual(quiet.counts.requests);
    expect(written.rows[0].n).toBeLessThan(ROOMS / 10);
    const deletions = await database.pool.query(
      "select count(*)::int as n from smart_chat_room_changes where project_id = 'p-quiet' and change = 'deleted'",
    );
    expect(deletions.rows[0].n).toBe(0);
    await expectExactMirror(database, harness.sim, "p-quiet");
  });
});

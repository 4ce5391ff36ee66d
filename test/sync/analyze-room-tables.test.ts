import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { queryRows } from "../../src/db/query-rows.js";
import { startHarness, type Harness } from "../support/sync-harness.js";
import { useTestDatabase } from "../support/use-test-database.js";

const database = useTestDatabase();
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness(database, { projectIds: ["p-large"], roomsPerProject: 2500 });
});
afterAll(async () => {
  await harness.close();
});

/** What the planner believes the room table holds: -1 until it is first analyzed. */
async function plannerRows(): Promise<number> {
  const [row] = await queryRows<{ reltuples: number }>(
    database.db,
    sql`select reltuples from pg_class where relname = 'smart_chat_rooms'`,
  );
  return Number(row?.reltuples);
}

describe("statistics of the room tables", () => {
  it("are refreshed as a run fills the tables, so foreign-key checks are not planned for an empty table", async () => {
    expect(await plannerRows()).toBeLessThan(1);
    await harness.run("p-large", {}, { batchSize: 100 });
    // Analyzed at 2,000 inserted rooms, when the table held at least that many.
    expect(await plannerRows()).toBeGreaterThanOrEqual(2000);
  });
});

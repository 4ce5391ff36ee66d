import { beforeAll, describe, expect, it } from "vitest";

import { readChanges } from "../../src/db/read-changes.js";
import { FEED_START } from "../../src/db/feed-cursor.js";
import { useTestDatabase } from "../support/use-test-database.js";

const database = useTestDatabase();
beforeAll(async () => {
  // Transactions and ids whose numbers cross a power of ten, as every busy mirror's eventually
  // do: xids 9, 10 and 11 (long committed on any cluster), ids 98 to 101 inside xid 11.
  await database.pool.query(
    `insert into smart_chat_room_changes (id, xid, project_id, room_id, run_id, change, changed_fields, observed_at)
     select id, xid::text::xid8, 'p-order', 'r' || id, gen_random_uuid(), 'created', '{}', now()
       from (values (1, 9), (2, 10), (98, 11), (99, 11), (100, 11), (101, 11)) as v(id, xid)`,
  );
});

const read = async (after = FEED_START, limit = 10) =>
  (await readChanges(database.db, { after, projectIds: ["p-order"], limit })).map((c) => ({
    xid: c.xid,
    id: c.id,
  }));

describe("readChanges", () => {
  it("hands out changes in the order of their transactions' and their own numbers, not their text", async () => {
    expect(await read()).toEqual([
      { xid: "9", id: "1" },
      { xid: "10", id: "2" },
      { xid: "11", id: "98" },
      { xid: "11", id: "99" },
      { xid: "11", id: "100" },
      { xid: "11", id: "101" },
    ]);
  });

  it("resumes after any change without repeating or skipping one, page by page", async () => {
    const seen: string[] = [];
    for (let after = FEED_START, page = await read(after, 2); page.length > 0; page = await read(after, 2)) {
      seen.push(...page.map((c) => c.id));
      after = page.at(-1)!;
    }
    expect(seen).toEqual(["1", "2", "98", "99", "100", "101"]);
  });
});

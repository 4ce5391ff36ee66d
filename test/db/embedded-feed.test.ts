import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { type Database } from "../../src/db/database.js";
import { openDatabase } from "../../src/db/open-database.js";
import { listenForChanges } from "../../src/db/listen-changes.js";
import { migrate } from "../../src/db/migrate.js";
import { readChanges } from "../../src/db/read-changes.js";
import { FEED_START } from "../../src/db/feed-cursor.js";

/** The feed on the embedded database (PGlite) `sync` uses without DATABASE_URL. */
let dir: string;
let database: Database;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "msync-embedded-feed-"));
  database = await openDatabase({ databaseUrl: undefined, embeddedDataDir: dir });
  await migrate(database);
});
afterAll(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = (roomId: string) =>
  database.db.execute(sql`
    insert into smart_chat_room_changes (project_id, room_id, run_id, change, changed_fields, observed_at)
    values ('p-e', ${roomId}, gen_random_uuid(), 'created', '{}', now())`);

describe("the change feed on the embedded database", () => {
  it("reads committed changes in order from a position, and is notified of each batch", async () => {
    let notified = 0;
    const unlisten = await listenForChanges(
      database,
      () => (notified += 1),
      () => {},
    );
    await insert("a");
    await insert("b");
    const all = await readChanges(database.db, { after: FEED_START, projectIds: [], limit: 10 });
    expect(all.map((c) => c.room_id)).toEqual(["a", "b"]);
    const rest = await readChanges(database.db, {
      after: { xid: all[0]!.xid, id: all[0]!.id },
      projectIds: ["p-e"],
      limit: 10,
    });
    expect(rest.map((c) => c.room_id)).toEqual(["b"]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(notified).toBe(2);
    await unlisten();
  });
});

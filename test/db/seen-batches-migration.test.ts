import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { drizzle } from "drizzle-orm/node-postgres";
import { migrate as drizzleMigrate } from "drizzle-orm/node-postgres/migrator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { countUnseenLive, markUnseenDeleted } from "../../src/db/mark-deleted.js";
import { migrate } from "../../src/db/migrate.js";
import { adoptRunProgress } from "../../src/db/run-windows.js";
import { useTestDatabase } from "../support/use-test-database.js";

const database = useTestDatabase({ migrate: false });
let folder: string;
beforeAll(async () => {
  // The migrations as they were before 0005_seen_batches: seen rows one per room.
  folder = mkdtempSync(join(tmpdir(), "msync-0004-"));
  cpSync("migrations", folder, { recursive: true });
  rmSync(join(folder, "0005_seen_batches.sql"));
  const journalPath = join(folder, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { idx: number }[] };
  journal.entries = journal.entries.filter((entry) => entry.idx <= 4);
  writeFileSync(journalPath, JSON.stringify(journal));
  await drizzleMigrate(drizzle(database.pool), { migrationsFolder: folder });
});
afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

const FAILED = "00000000-0000-4000-8000-0000000000f1";
const RESUMER = "00000000-0000-4000-8000-0000000000f2";

describe("0005_seen_batches on a database with seen rows of the old shape", () => {
  it("keeps a failed full run's sightings, so its successor judges none of those rooms deleted", async () => {
    await database.pool.query(
      `insert into sync_runs (id, project_id, mode, trigger, status, started_at, finished_at)
       values ($1, 'p-up', 'full', 'cli', 'failed', now() - interval '1 hour', now() - interval '50 minutes'),
              ($2, 'p-up', 'full', 'cli', 'running', now(), null)`,
      [FAILED, RESUMER],
    );
    // a and b seen unchanged by the failed run, c written by it, d seen by nobody.
    await database.pool.query(
      `insert into smart_chat_rooms (project_id, room_id, raw, content_hash, first_seen_at, last_seen_at,
         last_changed_at, written_by_run)
       select 'p-up', id, '{}'::jsonb, 'h', now(), now(), now(), case when id = 'c' then $1::uuid end
         from unnest(array['a', 'b', 'c', 'd']) id`,
      [FAILED],
    );
    await database.pool.query(
      `insert into sync_seen_rooms (run_id, room_id, request_id) values ($1, 'a', 'req-a'), ($1, 'b', null)`,
      [FAILED],
    );

    await migrate(database);

    const carried = await database.pool.query(
      "select room_id, request_id from sync_seen_rooms where run_id = $1 order by room_id",
      [FAILED],
    );
    expect(carried.rows).toEqual([
      { room_id: "a", request_id: "req-a" },
      { room_id: "b", request_id: null },
    ]);
    // The successor skips the windows the failed run completed: it reads nothing more here.
    await adoptRunProgress(database.db, { projectId: "p-up", fromRunId: FAILED, toRunId: RESUMER });
    expect(await countUnseenLive(database.db, "p-up", RESUMER)).toEqual({ live: 4, unseen: 1 });
    expect(await markUnseenDeleted(database.db, { projectId: "p-up", runId: RESUMER, now: new Date() })).toBe(
      1,
    );
    const deleted = await database.pool.query(
      "select room_id from smart_chat_room_changes where project_id = 'p-up' and change = 'deleted'",
    );
    expect(deleted.rows).toEqual([{ room_id: "d" }]);
  });
});

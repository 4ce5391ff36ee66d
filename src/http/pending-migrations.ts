import { sql } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";

import type { Db } from "../db/database.js";
import { MIGRATIONS_FOLDER } from "../db/migrate.js";
import { queryRows } from "../db/query-rows.js";

/**
 * The `when` of every migration this build ships, from `migrations/meta/_journal.json`. Read once:
 * the files cannot change under a running process, and a missing folder should fail at start.
 */
export function shippedMigrations(migrationsFolder = MIGRATIONS_FOLDER): number[] {
  return readMigrationFiles({ migrationsFolder }).map((migration) => migration.folderMillis);
}

/**
 * How many of `shipped` the database lacks, judged as drizzle's migrator judges it: everything
 * newer than the newest `created_at` in `drizzle.__drizzle_migrations` is pending. A database the
 * migrator never touched has no such table, and then every migration is pending.
 */
export async function countPendingMigrations(db: Db, shipped: readonly number[]): Promise<number> {
  // Two queries because a table that may not exist cannot appear in the query that checks for it.
  const [table] = await queryRows<{ present: boolean }>(
    db,
    sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`,
  );
  if (!table?.present) return shipped.length;
  const [row] = await queryRows<{ last: string | number | null }>(
    db,
    sql`select max(created_at) as last from drizzle.__drizzle_migrations`,
  );
  const last = row?.last === null || row?.last === undefined ? -Infinity : Number(row.last);
  return shipped.filter((when) => when > last).length;
}

import { sql } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";

import type { Db } from "./database.js";
import { MIGRATIONS_FOLDER } from "./migrate.js";
import { queryRows } from "./query-rows.js";

/**
 * The `when` of every migration this build ships, from `migrations/meta/_journal.json`. Read once:
 * the files cannot change under a running process, and a missing folder should fail at start.
 */
export function shippedMigrations(migrationsFolder = MIGRATIONS_FOLDER): number[] {
  return readMigrationFiles({ migrationsFolder }).map((migration) => migration.folderMillis);
}

/** How the database's migrations stand against the ones this build ships. */
export interface MigrationState {
  /** How many of the shipped migrations the database lacks. */
  pending: number;
  /**
   * Whether the database holds a migration newer than any this build ships: a newer version
   * migrated it, and this one may not be able to use it (a later migration may drop or reshape
   * what this build writes).
   */
  ahead: boolean;
}

/**
 * The database's migrations against `shipped`, judged as drizzle's migrator judges them:
 * everything newer than the newest `created_at` in `drizzle.__drizzle_migrations` is pending. A
 * database the migrator never touched has no such table, and then every migration is pending.
 */
export async function readMigrationState(db: Db, shipped: readonly number[]): Promise<MigrationState> {
  // Two queries because a table that may not exist cannot appear in the query that checks for it.
  const [table] = await queryRows<{ present: boolean }>(
    db,
    sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`,
  );
  if (!table?.present) return { pending: shipped.length, ahead: false };
  const [row] = await queryRows<{ last: string | number | null }>(
    db,
    sql`select max(created_at) as last from drizzle.__drizzle_migrations`,
  );
  const last = row?.last === null || row?.last === undefined ? -Infinity : Number(row.last);
  return {
    pending: shipped.filter((when) => when > last).length,
    ahead: shipped.length > 0 && last > Math.max(...shipped),
  };
}

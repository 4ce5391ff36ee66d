import { randomBytes } from "node:crypto";

import pg from "pg";
import { inject } from "vitest";

import { type PostgresDatabase } from "../../src/db/database.js";
import { openDatabase } from "../../src/db/open-database.js";
import { migrate } from "../../src/db/migrate.js";

export interface TestDatabase extends PostgresDatabase {
  url: string;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/**
 * A fresh database of its own, so test files never see each other's rows; migrated unless
 * `migrate: false` (for what must cope with a database that never was).
 */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = inject("databaseUrl");
  const name = `msync_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = (await openDatabase({
    databaseUrl: url.toString(),
    embeddedDataDir: "",
  })) as PostgresDatabase;
  if (options.migrate ?? true) await migrate(database);
  return {
    ...database,
    url: url.toString(),
    drop: async () => {
      await database.close();
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

/** A random prefix for BullMQ queues and Redis keys, so test files never share jobs. */
export function randomPrefix(): string {
  return `msync-test-${randomBytes(4).toString("hex")}`;
}

import pg from "pg";

import { openDatabase } from "../src/db/open-database.js";
import { migrate } from "../src/db/migrate.js";

/**
 * A migrated database `name` of its own beside `adminUrl`'s, handed to `work` by URL and dropped
 * after it whatever the outcome: a bench's rows never mix with another's or outlive the bench.
 */
export async function withScratchDatabase<T>(
  adminUrl: string,
  name: string,
  work: (url: string) => Promise<T>,
): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    const database = await openDatabase({ databaseUrl: url.toString(), embeddedDataDir: "" });
    try {
      await migrate(database);
    } finally {
      await database.close();
    }
    return await work(url.toString());
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

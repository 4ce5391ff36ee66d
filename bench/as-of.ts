/**
 * `npx tsx bench/as-of.ts [--rooms 100000] [--projects 1] [--keep]`: how long
 * `smart_chat_rooms_as_of` takes over a mirror of that many rooms with 60 days of history (see
 * fillHistory), for moments from now to before the first run. Prints the times; asserts nothing.
 * Needs DATABASE_URL (a Postgres it may create a database in); --keep leaves the database.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";

import { sql } from "drizzle-orm";
import pg from "pg";

import { table } from "../src/cli/format-summary.js";
import { openDatabase } from "../src/db/open-database.js";
import { migrate } from "../src/db/migrate.js";
import { queryRows } from "../src/db/query-rows.js";
import { fillHistory } from "./history-rows.js";

const { values } = parseArgs({
  options: {
    rooms: { type: "string", default: "100000" },
    projects: { type: "string", default: "1" },
    keep: { type: "boolean", default: false },
  },
});
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) {
  process.stderr.write("bench/as-of.ts needs DATABASE_URL (a Postgres it may create databases in).\n");
  process.exit(2);
}
const rooms = Number(values.rooms);
const projects = Number(values.projects);
const name = `msync_asof_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`create database ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const database = await openDatabase({ databaseUrl: url.toString(), embeddedDataDir: "" });
try {
  await migrate(database);
  let started = performance.now();
  await fillHistory(database.db, { rooms, projects });
  process.stdout.write(
    `${rooms} rooms in ${projects} project(s) with history: ${ms(started)} to generate\n\n`,
  );
  const rows: string[][] = [];
  for (const daysAgo of [0, 1, 7, 30, 59, 61]) {
    const times: number[] = [];
    let count = 0;
    for (let i = 0; i < 3; i++) {
      started = performance.now();
      const [row] = await queryRows<{ n: number }>(
        database.db,
        sql`select count(*)::int as n from smart_chat_rooms_as_of('p-0', now() - ${daysAgo} * interval '1 day')`,
      );
      times.push(performance.now() - started);
      count = Number(row?.n ?? 0);
    }
    times.sort((a, b) => a - b);
    rows.push([`${daysAgo} days ago`, String(count), `${Math.round(times[1]!)} ms`]);
  }
  process.stdout.write(`${table(["as of", "rooms live then (p-0)", "time (median of 3)"], rows)}\n`);
} finally {
  await database.close();
  if (values.keep) process.stdout.write(`kept database ${name}\n`);
  else await admin.query(`drop database ${name} with (force)`);
  await admin.end();
}

function ms(since: number): string {
  return `${Math.round(performance.now() - since)} ms`;
}

import { execFile } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { drizzle } from "drizzle-orm/node-postgres";
import { migrate as drizzleMigrate } from "drizzle-orm/node-postgres/migrator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { shippedMigrations } from "../../src/db/migration-state.js";
import type { TestDatabase } from "../support/test-database.js";
import { useTestDatabase } from "../support/use-test-database.js";

/** `status` and `changes` only read: neither may create a schema, a cluster or a directory. */

const empty = useTestDatabase({ migrate: false });
const older = useTestDatabase({ migrate: false });
const current = useTestDatabase();

let root: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "msync-read-only-"));
  // The migrations of the build before this one: every one but the newest.
  const folder = join(root, "older-migrations");
  cpSync("migrations", folder, { recursive: true });
  const journalPath = join(folder, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: unknown[] };
  journal.entries = journal.entries.slice(0, -1);
  writeFileSync(journalPath, JSON.stringify(journal));
  await drizzleMigrate(drizzle(older.pool), { migrationsFolder: folder });
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real command, with only the environment given (no DATABASE_URL unless given). */
async function cli(args: string[], env: Record<string, string>): Promise<Outcome> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", ...args],
      { env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "silent", ...env } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as Outcome;
    return { code, stdout, stderr };
  }
}

/** What exists outside the system catalogs: tables, views, sequences, functions, schemas. */
async function objects(database: TestDatabase): Promise<number> {
  const { rows } = await database.pool.query<{ count: number }>(
    `select (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
              where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_to%')
          + (select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
              where n.nspname not in ('pg_catalog', 'information_schema'))
          + (select count(*) from pg_namespace where nspname = 'drizzle') as count`,
  );
  return Number(rows[0]!.count);
}

const appliedMigrations = async (database: TestDatabase) =>
  Number(
    (await database.pool.query<{ count: string }>("select count(*) from drizzle.__drizzle_migrations"))
      .rows[0]!.count,
  );

describe("status and changes on Postgres", () => {
  it("refuse a database without the schema (a typo'd DATABASE_URL), exit 2, and create nothing in it", async () => {
    for (const command of ["status", "changes"]) {
      const outcome = await cli([command], { DATABASE_URL: empty.url, METASTUDIO_PROJECT_IDS: "p1" });
      expect(outcome).toMatchObject({ code: 2, stdout: "" });
      expect(outcome.stderr).toContain(`DATABASE_URL (${empty.url})`);
      expect(outcome.stderr).toMatch(/has no metastudio-sync schema/);
      expect(outcome.stderr).toMatch(/run `metastudio-sync migrate` or `metastudio-sync sync` first/);
    }
    expect(await objects(empty)).toBe(0);
    // What would have been counted: the schema `migrate` creates.
    expect(await objects(current)).toBeGreaterThan(12);
  });

  it("refuse a schema older than this build, exit 2, and leave its migrations to `migrate`", async () => {
    const shipped = shippedMigrations().length;
    expect(await appliedMigrations(older)).toBe(shipped - 1);
    for (const command of ["status", "changes"]) {
      const outcome = await cli([command], { DATABASE_URL: older.url });
      expect(outcome).toMatchObject({ code: 2, stdout: "" });
      expect(outcome.stderr).toContain(`1 of ${shipped} migrations not applied`);
      expect(outcome.stderr).toMatch(/run `metastudio-sync migrate` first/);
    }
    expect(await appliedMigrations(older)).toBe(shipped - 1);
  });
});

describe("status's configuration", () => {
  it("needs the project IDs only: no endpoint, no credentials", async () => {
    const outcome = await cli(["status"], {
      DATABASE_URL: current.url,
      METASTUDIO_PROJECT_IDS: "p-ro-1,p-ro-2",
    });
    expect(outcome.stderr).toBe("");
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(/^project p-ro-1: 0 live rooms/m);
    expect(outcome.stdout).toMatch(/^project p-ro-2: 0 live rooms/m);
  });

  it("reads an accounts file's projects without its secrets", async () => {
    const file = join(root, "accounts.yaml");
    writeFileSync(
      file,
      [
        "accounts:",
        "  - name: cn",
        "    endpoint: ${CN_ENDPOINT}",
        "    ak: ${CN_AK}",
        "    sk: ${CN_SK}",
        "    projects: [p-ro-3]",
        "  - name: sg",
        "    endpoint: https://metastudio.ap-southeast-1.myhuaweicloud.com",
        `    token_file: ${join(root, "missing-token")}`,
        "    projects: [p-ro-4]",
        "",
      ].join("\n"),
    );
    const outcome = await cli(["status", "--json"], { DATABASE_URL: current.url, METASTUDIO_CONFIG: file });
    expect(outcome.stderr).toBe("");
    expect(outcome.code).toBe(0);
    const projects = (JSON.parse(outcome.stdout) as Array<{ projectId: string }>).map((p) => p.projectId);
    expect(projects).toEqual(["p-ro-3", "p-ro-4"]);
  });
});

describe("status and changes on the embedded database", () => {
  it("refuse a directory that holds no cluster, exit 2, and add nothing to it", async () => {
    const junk = join(root, "junkdir");
    mkdirSync(junk);
    writeFileSync(join(junk, "somefile"), "x\n");
    for (const command of ["status", "changes"]) {
      const outcome = await cli([command], { METASTUDIO_SYNC_DATA_DIR: junk });
      expect(outcome).toMatchObject({ code: 2, stdout: "" });
      expect(outcome.stderr).toContain(`${junk} (METASTUDIO_SYNC_DATA_DIR) holds no database`);
      expect(outcome.stderr).toMatch(/Run `metastudio-sync migrate` or `metastudio-sync sync` first/);
      expect(readdirSync(junk)).toEqual(["somefile"]);
    }
  });

  it("do not create a data directory that is not there", async () => {
    const absent = join(root, "absent", "pgdata");
    for (const command of ["status", "changes"]) {
      const outcome = await cli([command], { METASTUDIO_SYNC_DATA_DIR: absent });
      expect(outcome).toMatchObject({ code: 2, stdout: "" });
      expect(outcome.stderr).toContain(`${absent} (METASTUDIO_SYNC_DATA_DIR) does not exist`);
      expect(existsSync(join(root, "absent"))).toBe(false);
    }
  });
});

import { fileURLToPath } from "node:url";

import type { Database } from "./database.js";

/** `src/db` (tests, tsx), `dist/db` (the library) and `dist/bin` (the bundled CLI) all sit two levels below the package root. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../migrations", import.meta.url));

/** Arbitrary but fixed: every metastudio-sync process contends for this one advisory lock. */
const MIGRATION_LOCK = 7_342_019_881;

/**
 * Applies pending migrations. Several processes may start at once (worker replicas, a `sync`
 * beside a worker): a session advisory lock makes them take turns, and each one then finds the
 * work already done by the one before it.
 */
export async function migrate(database: Database): Promise<void> {
  // Each driver's migrator is loaded only when used: the embedded one pulls in PGlite.
  if (database.kind === "embedded") {
    const [{ drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
      import("drizzle-orm/pglite"),
      import("drizzle-orm/pglite/migrator"),
    ]);
    await migratePglite(drizzlePglite(database.client), { migrationsFolder: MIGRATIONS_FOLDER });
    return;
  }
  const [{ drizzle: drizzlePg }, { migrate: migratePg }] = await Promise.all([
    import("drizzle-orm/node-postgres"),
    import("drizzle-orm/node-postgres/migrator"),
  ]);
  const client = await database.pool.connect();
  try {
    // Session-level, on the connection that also runs the migrations: if this process dies the
    // connection closes and Postgres releases the lock, so a crash cannot wedge later starts.
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK]);
    try {
      await migratePg(drizzlePg(client), { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK]);
    }
  } catch (error) {
    throw migrationError(database.location, error);
  } finally {
    client.release();
  }
}

/** SQLSTATEs of an object that already exists: duplicate table, object, function, schema. */
const ALREADY_THERE = new Set(["42P07", "42710", "42723", "42P06"]);

/**
 * The driver's words, not drizzle's wrapper, which quotes the whole failing statement (a page of
 * DDL on the terminal); and where the database already holds objects of our names, the likely
 * reason: it is not a database of metastudio-sync's own.
 */
function migrationError(location: string, error: unknown): Error {
  let driver: unknown = error;
  for (let depth = 0; driver instanceof Error && depth < 10; depth += 1) {
    if (typeof (driver as { code?: unknown }).code === "string") break;
    driver = driver.cause;
  }
  if (!(driver instanceof Error)) {
    return new Error(`Could not apply database migrations to ${location}`, { cause: error });
  }
  const code = (driver as { code?: unknown }).code as string | undefined;
  const hint =
    code !== undefined && ALREADY_THERE.has(code)
      ? "; the database already holds objects of these names: give metastudio-sync a database of its own"
      : "";
  return new Error(`Could not apply database migrations to ${location}: ${driver.message}${hint}`, {
    cause: driver,
  });
}

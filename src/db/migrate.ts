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
  } catch (cause) {
    throw new Error(`Could not apply database migrations to ${database.location}`, { cause });
  } finally {
    client.release();
  }
}

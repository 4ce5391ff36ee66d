import { existsSync } from "node:fs";
import { resolve } from "node:path";

import { ConfigError } from "../config/config-error.js";
import type { BaseConfig } from "../config/config.js";
import { redactUrl } from "../config/redact-url.js";
import { type Database } from "../db/database.js";
import { openDatabase } from "../db/open-database.js";
import { readMigrationState, shippedMigrations } from "../db/migration-state.js";
import { holdsEmbeddedCluster } from "../db/open-embedded-database.js";
import { printWarning } from "./print-warning.js";

/**
 * The configured database for a command that only reads it (`status`, `changes`), which never
 * changes it: no cluster created, no migration applied. A wrong DATABASE_URL (`/postgres` for
 * `/mirror`) or METASTUDIO_SYNC_DATA_DIR would otherwise be given the whole schema, or a cluster
 * beside the files of an unrelated directory. A database without the schema, or with an older
 * one, is a ConfigError (exit 2) saying which setting to check and to run `migrate` first.
 */
export async function openExistingDatabase(
  config: Pick<BaseConfig, "databaseUrl" | "embeddedDataDir">,
  command: string,
  poolSize?: number,
): Promise<Database> {
  const where = describeLocation(config);
  const dir = resolve(config.embeddedDataDir);
  if (config.databaseUrl === undefined && !holdsEmbeddedCluster(dir)) {
    // Checked before opening, which would create the cluster (and the directory).
    throw new ConfigError(
      `${where} ${existsSync(dir) ? "holds no database" : "does not exist"}: ` +
        `\`${command}\` only reads a database, and creates none. ` +
        "Run `metastudio-sync migrate` or `metastudio-sync sync` first, or set " +
        "METASTUDIO_SYNC_DATA_DIR (or DATABASE_URL) to where the mirror is.",
    );
  }
  const database = await openDatabase({ ...config, poolSize, onWarning: printWarning });
  try {
    // Connected outside a query first: a refused connection is then PostgresClient's own
    // ConfigError naming DATABASE_URL (exit 2, one line), which a query's error would wrap.
    if (database.kind === "postgres") (await database.pool.connect()).release();
    await assertMigrated(database, where, command);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

function describeLocation(config: Pick<BaseConfig, "databaseUrl" | "embeddedDataDir">): string {
  return config.databaseUrl === undefined
    ? `The embedded database directory ${resolve(config.embeddedDataDir)} (METASTUDIO_SYNC_DATA_DIR)`
    : `The database at DATABASE_URL (${redactUrl(config.databaseUrl)})`;
}

/** Judged as the worker's readiness check judges it (readMigrationState). */
async function assertMigrated(database: Database, where: string, command: string): Promise<void> {
  const shipped = shippedMigrations();
  const { pending } = await readMigrationState(database.db, shipped);
  if (pending === 0) return;
  if (pending === shipped.length) {
    throw new ConfigError(
      `${where} has no metastudio-sync schema (no migrations applied): is it the mirror's ` +
        `database? \`${command}\` only reads, and creates nothing; to set this database up, ` +
        "run `metastudio-sync migrate` or `metastudio-sync sync` first.",
    );
  }
  throw new ConfigError(
    `${where} has a schema older than this metastudio-sync (${pending} of ${shipped.length} ` +
      `migrations not applied); \`${command}\` only reads, and does not apply them: run ` +
      "`metastudio-sync migrate` first.",
  );
}

import type { Database } from "./database.js";
import { openEmbeddedDatabase } from "./open-embedded-database.js";
import { openPostgresDatabase } from "./open-postgres-database.js";

export interface OpenDatabaseOptions {
  /** Postgres to open; undefined for the embedded database. */
  databaseUrl: string | undefined;
  /** Where the embedded database is kept, when there is no `databaseUrl`. */
  embeddedDataDir: string;
  /** Connections in the Postgres pool. @default 10 */
  poolSize?: number;
  /** Told when a new embedded database cannot be copied from the cluster template. @default warnings are dropped */
  onWarning?: (message: string) => void;
}

/**
 * Opens Postgres at `databaseUrl`, or, with none, the embedded database (PGlite, Postgres
 * compiled to WebAssembly) kept on disk in `embeddedDataDir`: same schema, same migrations.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl !== undefined) {
    return openPostgresDatabase(options.databaseUrl, options.poolSize ?? 10);
  }
  return openEmbeddedDatabase(options.embeddedDataDir, options.onWarning);
}

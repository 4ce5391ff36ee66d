import { loadConfig } from "../config/config.js";
import { openDatabase } from "../db/open-database.js";
import { migrate } from "../db/migrate.js";
import { printWarning } from "./print-warning.js";

/** `migrate`: applies the migrations to the configured database and says where. */
export async function migrateAction(): Promise<void> {
  const config = loadConfig(process.env, { metastudio: false });
  const database = await openDatabase({ ...config, onWarning: printWarning });
  try {
    await migrate(database);
    process.stdout.write(`Migrations applied to ${database.location}.\n`);
  } finally {
    await database.close();
  }
}

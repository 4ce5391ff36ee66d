import type { Command } from "commander";

import { loadConfig } from "../config/config.js";
import { openDatabase } from "../db/database.js";
import { migrate } from "../db/migrate.js";
import { ENV_HELP } from "./env-help.js";
import { printWarning } from "./print-warning.js";

export function registerMigrateCommand(program: Command): void {
  program
    .command("migrate")
    .description("apply the database migrations (also done before every sync and worker start)")
    .addHelpText("after", ENV_HELP.migrate)
    .action(async () => {
      const config = loadConfig(process.env, { metastudio: false });
      const database = await openDatabase({ ...config, onWarning: printWarning });
      try {
        await migrate(database);
        process.stdout.write(`Migrations applied to ${database.location}.\n`);
      } finally {
        await database.close();
      }
    });
}

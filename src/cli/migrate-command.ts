import type { Command } from "commander";

import { ENV_HELP } from "./env-help.js";
import { lazyAction } from "./lazy-action.js";

export function registerMigrateCommand(program: Command): void {
  program
    .command("migrate")
    .description("apply the database migrations (also done before every sync and worker start)")
    .addHelpText("after", ENV_HELP.migrate)
    .action(lazyAction(async () => (await import("./migrate-action.js")).migrateAction));
}

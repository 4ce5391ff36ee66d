import type { Command } from "commander";

import { ENV_HELP } from "./env-help.js";
import { lazyAction } from "./lazy-action.js";

export function registerStatusCommand(program: Command): void {
  program
    .command("status")
    .description(
      "per project: the last runs, their outcome and counts, the watermark; queue state when REDIS_URL is set",
    )
    .option("--json", "print as JSON", false)
    .option("--runs <n>", "runs to show per project", "5")
    .addHelpText("after", ENV_HELP.status)
    .action(lazyAction(async () => (await import("./status-action.js")).statusAction));
}

import type { Command } from "commander";

import { ConfigError } from "../config/config-error.js";
import { allProjectIds, loadConfig } from "../config/config.js";
import { upsertSyncProjects } from "../db/sync-projects.js";
import { createLogger } from "../logger.js";
import { runSync, type RunSummary } from "../sync/run-sync.js";
import { openSyncRuntime } from "../sync/sync-runtime.js";
import { ENV_HELP } from "./env-help.js";
import { ExitError, EXIT_FAILED } from "./exit-codes.js";
import { formatPreview, formatSummaries } from "./format-summary.js";
import { ProgressLine } from "./progress-line.js";

interface SyncOptions {
  project: string[];
  full: boolean;
  dryRun: boolean;
  allowMassDelete: boolean;
  json: boolean;
}

export function registerSyncCommand(program: Command): void {
  program
    .command("sync")
    .description("run one sync in this process (no Redis needed): every configured project, or those named")
    .option(
      "--project <id>",
      "sync only this project (repeatable); must be in METASTUDIO_PROJECT_IDS",
      collect,
      [],
    )
    .option(
      "--full",
      "read the whole list and mark rooms no longer listed as deleted (default: incremental)",
      false,
    )
    .option("--dry-run", "fetch and diff, write nothing, print what would change", false)
    .option(
      "--allow-mass-delete",
      "let a full run mark more than SYNC_MASS_DELETE_THRESHOLD of the rooms deleted",
      false,
    )
    .option("--json", "print the run summaries as JSON on stdout", false)
    .addHelpText("after", ENV_HELP.sync)
    .action((options: SyncOptions) => syncCommand(options));
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Narrows the configured projects to those named with --project; an unknown one is a usage error. */
export function selectProjects(configured: string[], named: string[]): string[] {
  const unknown = named.filter((id) => !configured.includes(id));
  if (unknown.length > 0) {
    throw new ConfigError(
      `--project ${unknown.join(", ")} is not in METASTUDIO_PROJECT_IDS (${configured.join(", ")}).`,
    );
  }
  return named.length > 0 ? [...new Set(named)] : configured;
}

async function syncCommand(options: SyncOptions): Promise<void> {
  const config = loadConfig(process.env);
  const projects = selectProjects(allProjectIds(config.accounts), options.project);
  // One audit line per request is right for a service's log, noise on a terminal showing progress.
  const interactive = process.stderr.isTTY === true && process.env.LOG_LEVEL === undefined;
  const logger = createLogger(interactive ? "warn" : config.logLevel);
  const runtime = await openSyncRuntime(config, logger);
  if (runtime.database.kind === "embedded") {
    process.stderr.write(
      `Using the embedded database at ${runtime.database.location} (set DATABASE_URL to use Postgres).\n`,
    );
  }
  if (!options.dryRun) {
    const rows = config.accounts.flatMap((a) =>
      a.projectIds.map((projectId) => ({ projectId, account: a.name, endpoint: a.endpoint })),
    );
    await upsertSyncProjects(runtime.database.db, rows, new Date()).catch(async (error: unknown) => {
      await runtime.close();
      throw error;
    });
  }
  const summaries: RunSummary[] = [];
  const failures: string[] = [];
  const progress = new ProgressLine();
  try {
    for (const projectId of projects) {
      try {
        const summary = await runSync(runtime.deps({ onProgress: (p) => progress.update(p) }), {
          projectId,
          mode: options.full ? "full" : "incremental",
          trigger: "cli",
          dryRun: options.dryRun,
          allowMassDelete: options.allowMassDelete,
        });
        summaries.push(summary);
      } catch (error) {
        failures.push(`${projectId}: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        progress.clear();
      }
    }
  } finally {
    await runtime.close();
  }
  if (options.json) process.stdout.write(`${JSON.stringify(summaries, null, 2)}\n`);
  else if (summaries.length > 0) {
    process.stdout.write(`${formatSummaries(summaries)}\n`);
    if (options.dryRun) for (const s of summaries) process.stdout.write(`\n${formatPreview(s)}\n`);
  }
  if (failures.length > 0) {
    process.stderr.write(`\nSync failed for ${failures.length} of ${projects.length} project(s):\n`);
    for (const failure of failures) process.stderr.write(`  ${failure}\n`);
    throw new ExitError(EXIT_FAILED);
  }
}

import { eq } from "drizzle-orm";

import { ConfigError } from "../config/config-error.js";
import { allProjectIds, loadConfig, type Config } from "../config/config.js";
import { readEnv } from "../config/read-env.js";
import { syncRuns } from "../db/schema.js";
import { upsertSyncProjects } from "../db/sync-projects.js";
import { describeError } from "../describe-error.js";
import { resolveLogFormat } from "../log-format.js";
import { createLogger } from "../logger.js";
import { runSync, type RunSummary, type SyncDeps } from "../sync/run-sync.js";
import { openSyncRuntime, type SyncRuntime } from "../runtime/sync-runtime.js";
import { databaseHint } from "./database-hint.js";
import { escapeControl, ExitError, EXIT_FAILED } from "./exit-codes.js";
import { interruptOnSignals } from "./interrupt-signal.js";
import { ProgressLine } from "./progress-line.js";
import { selectProjects } from "./select-projects.js";

export interface SyncOptions {
  project: string[];
  full: boolean;
  dryRun: boolean;
  allowMassDelete: boolean;
  json: boolean;
}

/** A project whose run failed or never started, as `--json` prints it beside the summaries. */
export interface SyncFailure {
  projectId: string;
  status: "failed";
  /** The `sync_runs` row of the failed run; null when none was recorded (a dry run, a busy project). */
  runId: string | null;
  error: string;
}

/** `sync`: one run of each project in this process, then the summaries (or `--json`). */
export async function syncAction(options: SyncOptions): Promise<void> {
  const config = loadConfig(process.env);
  if (options.allowMassDelete && !options.full) {
    // As resync refuses it: accepted silently, it would read as a promise an incremental run,
    // which judges no deletions, cannot keep.
    throw new ConfigError("--allow-mass-delete only applies with --full: only full runs find deletions.");
  }
  const source =
    readEnv(process.env, "METASTUDIO_CONFIG") === undefined ? "METASTUDIO_PROJECT_IDS" : "METASTUDIO_CONFIG";
  const projects = selectProjects(allProjectIds(config.accounts), options.project, source);
  const runtime = await openSyncRuntime(config, terminalLogger(config));
  if (runtime.database.kind === "embedded") {
    process.stderr.write(
      `Using the embedded database at ${runtime.database.location} (set DATABASE_URL to use Postgres).\n`,
    );
  }
  const interrupt = interruptOnSignals();
  let outcome: Awaited<ReturnType<typeof runProjects>>;
  try {
    if (!options.dryRun) await upsertSyncProjects(runtime.database.db, projectRows(config), new Date());
    outcome = await runProjects(runtime, projects, options, interrupt.signal);
  } finally {
    await runtime.close();
    interrupt.dispose();
  }
  const { summaries, failures } = outcome;
  if (options.json) {
    const failed: SyncFailure[] = failures.map(({ hint: _hint, ...failure }) => failure);
    process.stdout.write(`${JSON.stringify([...summaries, ...failed], null, 2)}\n`);
  } else if (summaries.length > 0) {
    // Loaded for the table only: string-width sets up Unicode segmentation as it loads (about 50 ms
    // of every start here), which `--json`, the bench and every script piping the output never use.
    const { formatPreview, formatSummaries } = await import("./format-summary.js");
    process.stdout.write(`${formatSummaries(summaries)}\n`);
    if (options.dryRun) for (const s of summaries) process.stdout.write(`\n${formatPreview(s)}\n`);
  }
  if (failures.length > 0) {
    process.stderr.write(`\nSync failed for ${failures.length} of ${projects.length} project(s):\n`);
    for (const f of failures) {
      const run = f.runId === null ? "" : ` (run ${f.runId})`;
      process.stderr.write(`  ${f.projectId}${run}: ${escapeControl(f.error)}\n`);
    }
    const hint = failures.map((f) => f.hint).find((h) => h !== undefined);
    if (hint !== undefined) process.stderr.write(`  ${hint}\n`);
    throw new ExitError(interrupt.exitCode() ?? EXIT_FAILED);
  }
}

/**
 * On a terminal: warnings only (one audit line per request is right for a service's log, noise
 * over a progress line), pretty, and no error records, because the command prints each failure
 * itself. LOG_LEVEL and LOG_FORMAT override either.
 */
function terminalLogger(config: Config) {
  const terminal = process.stderr.isTTY === true;
  const format = resolveLogFormat(process.env, terminal);
  const level = terminal && process.env.LOG_LEVEL === undefined ? "warn" : config.logLevel;
  return createLogger(level, undefined, { format, omitReportedErrors: format === "pretty" });
}

function projectRows(config: Config) {
  return config.accounts.flatMap((a) =>
    a.projectIds.map((projectId) => ({ projectId, account: a.name, endpoint: a.endpoint })),
  );
}

/** Each project in turn; once interrupted, those not started are reported as not run. */
async function runProjects(
  runtime: SyncRuntime,
  projects: string[],
  options: SyncOptions,
  signal: AbortSignal,
): Promise<{ summaries: RunSummary[]; failures: Array<SyncFailure & { hint?: string }> }> {
  const summaries: RunSummary[] = [];
  const failures: Array<SyncFailure & { hint?: string }> = [];
  const progress = new ProgressLine();
  for (const projectId of projects) {
    if (signal.aborted) {
      failures.push({
        projectId,
        status: "failed",
        runId: null,
        error: `not started: ${String(signal.reason)}`,
      });
      continue;
    }
    progress.begin(projectId);
    try {
      const outcome = await runProject(runtime, projectId, options, {
        signal,
        onProgress: (p) => progress.update(p),
      });
      if ("summary" in outcome) summaries.push(outcome.summary);
      else failures.push(outcome.failure);
    } finally {
      progress.clear();
    }
  }
  return { summaries, failures };
}

/**
 * One project's run: its summary, or its failure with the ID of the run this process started,
 * as the engine reported it. Never a row found by looking: the newest run of the project may be
 * another process's (one that holds the project while this one did nothing), not ours.
 */
async function runProject(
  runtime: SyncRuntime,
  projectId: string,
  options: SyncOptions,
  extra: Partial<SyncDeps>,
): Promise<{ summary: RunSummary } | { failure: SyncFailure & { hint?: string } }> {
  let started: string | undefined;
  try {
    const summary = await runSync(
      runtime.deps(extra),
      {
        projectId,
        mode: options.full ? "full" : "incremental",
        trigger: "cli",
        dryRun: options.dryRun,
        allowMassDelete: options.allowMassDelete,
      },
      {
        onRunStarted: (runId) => {
          started = runId;
        },
      },
    );
    return { summary };
  } catch (error) {
    // A dry run records no row: its ID names nothing anyone could look up.
    const runId = options.dryRun ? null : (started ?? null);
    const recorded = runId === null ? null : await recordedError(runtime, runId);
    const message = recorded ?? describeError(error);
    return { failure: { projectId, status: "failed", runId, error: message, hint: databaseHint(error) } };
  }
}

/** Why the engine recorded our failed run as failed, in its words (e.g. "interrupted by SIGINT"). */
async function recordedError(runtime: SyncRuntime, runId: string): Promise<string | null> {
  const [row] = await runtime.database.db
    .select({ error: syncRuns.error })
    .from(syncRuns)
    .where(eq(syncRuns.id, runId))
    .catch(() => []);
  return row?.error ?? null;
}

import { QueueEvents, type Queue } from "bullmq";

import { isProjectId } from "../config/parse-project-ids.js";
import { ConfigError } from "../config/config-error.js";
import { loadConfig, type BaseConfig } from "../config/config.js";
import { configuredProjectIds } from "../config/configured-project-ids.js";
import { readEnv } from "../config/read-env.js";
import { connectRedis } from "../queue/connect-redis.js";
import { enqueueSync } from "../queue/enqueue-sync.js";
import { ProjectClaims } from "../queue/project-claims.js";
import { readQueuePrefix, requireRedisUrl } from "../queue/queue-prefix.js";
import type { CompletedSync } from "../queue/sync-processor.js";
import {
  createSyncQueue,
  SYNC_QUEUE_NAME,
  type EnqueuedSync,
  type SyncJobData,
} from "../queue/sync-queue.js";
import { waitForSyncs, type SyncOutcome } from "../queue/wait-for-syncs.js";
import { ExitError, EXIT_FAILED } from "./exit-codes.js";
import { formatEnqueued } from "./format-enqueued.js";
import { formatSummaries } from "./format-summary.js";
import { ProgressLine } from "./progress-line.js";
import { selectProjects } from "./select-projects.js";

export interface ResyncOptions {
  project: string[];
  all: boolean;
  full: boolean;
  wait: boolean;
  allowMassDelete: boolean;
}

/** `resync`: enqueues a sync per project for the worker, and with `--wait` follows each to its end. */
export async function resyncAction(options: ResyncOptions): Promise<void> {
  const config = loadQueueConfig();
  const projects = chooseProjects(options);
  if (options.allowMassDelete && !options.full) {
    throw new ConfigError("--allow-mass-delete only applies with --full: only full runs find deletions.");
  }
  const redisUrl = requireRedisUrl(config.redisUrl, "resync");
  const prefix = readQueuePrefix(process.env);
  const redis = await connectRedis(redisUrl);
  const queue = createSyncQueue({ connection: redis, prefix });
  queue.on("error", () => {});
  const events = options.wait
    ? new QueueEvents(SYNC_QUEUE_NAME, { connection: { url: redisUrl }, prefix })
    : undefined;
  let outcomes: SyncOutcome[] = [];
  try {
    // Listening before adding, so a job that ends at once is not missed.
    await events?.waitUntilReady();
    const enqueued = await enqueueProjects(queue, projects, options);
    for (const sync of enqueued) process.stdout.write(`${formatEnqueued(sync)}\n`);
    await warnUnclaimed(new ProjectClaims(redis, prefix), projects, prefix);
    if (!events) return;
    outcomes = await followSyncs(queue, events, enqueued);
  } finally {
    await events?.close();
    await queue.close();
    await redis.quit().catch(() => {});
  }
  printOutcomes(outcomes);
}

/** Enqueuing needs no upstream endpoint or credentials: an operator's shell may lack them. */
function loadQueueConfig(): BaseConfig {
  return loadConfig(
    {
      ...process.env,
      METASTUDIO_ENDPOINT: undefined,
      METASTUDIO_PROJECT_IDS: undefined,
      METASTUDIO_CONFIG: undefined,
    },
    { metastudio: false },
  );
}

async function enqueueProjects(
  queue: Queue<SyncJobData>,
  projects: string[],
  options: ResyncOptions,
): Promise<EnqueuedSync[]> {
  const mode = options.full ? "full" : "incremental";
  const enqueued: EnqueuedSync[] = [];
  for (const projectId of projects) {
    try {
      enqueued.push(
        await enqueueSync(queue, {
          projectId,
          mode,
          trigger: "manual",
          allowMassDelete: options.allowMassDelete,
        }),
      );
    } catch (cause) {
      throw new Error(`Could not enqueue a sync of project ${projectId} (REDIS_URL, QUEUE_PREFIX).`, {
        cause,
      });
    }
  }
  return enqueued;
}

/**
 * Says which projects no live worker of this queue has claimed: their jobs wait until one starts,
 * and `--wait` with them, which without a word looks like a slow job (a QUEUE_PREFIX other than
 * the workers', or no worker running at all).
 */
async function warnUnclaimed(claims: ProjectClaims, projects: string[], prefix: string): Promise<void> {
  const unclaimed = await claims.unclaimed(projects);
  if (unclaimed.length === 0) return;
  process.stderr.write(
    `warning: no worker on this queue (QUEUE_PREFIX ${JSON.stringify(prefix)}) is configured for ` +
      `${unclaimed.join(", ")}; the job waits until one that is starts\n`,
  );
}

/** Waits for the jobs' ends, showing the runs' progress meanwhile. */
async function followSyncs(
  queue: Queue<SyncJobData>,
  events: QueueEvents,
  enqueued: EnqueuedSync[],
): Promise<SyncOutcome[]> {
  const progress = new ProgressLine();
  try {
    return await waitForSyncs(queue, events, enqueued, (p) => progress.update(p));
  } finally {
    progress.clear();
  }
}

function chooseProjects(options: ResyncOptions): string[] {
  if (options.all && options.project.length > 0) {
    throw new ConfigError("Give --project or --all, not both.");
  }
  if (!options.all && options.project.length === 0) {
    throw new ConfigError("Name the projects to resync with --project ID (repeatable), or give --all.");
  }
  if (readEnv(process.env, "METASTUDIO_CONFIG") !== undefined) {
    // The accounts file names the projects; only their lists are read, no credential.
    if (!options.all) return [...new Set(options.project)];
    return configuredProjectIds(process.env) ?? [];
  }
  const configured = (readEnv(process.env, "METASTUDIO_PROJECT_IDS") ?? "")
    .split(",")
    .map((id) => id.trim())
    .filter(Boolean);
  if (configured.length === 0) {
    // The worker refuses jobs for projects it is not configured for; so do we, when we can tell.
    if (options.all) throw new ConfigError("--all needs METASTUDIO_PROJECT_IDS, the projects to enqueue.");
    const bad = options.project.find((id) => !isProjectId(id));
    if (bad !== undefined) throw new ConfigError(`--project ${JSON.stringify(bad)} is not a project ID.`);
    return [...new Set(options.project)];
  }
  return selectProjects(configured, options.project);
}

function printOutcomes(outcomes: SyncOutcome[]): void {
  const summaries: CompletedSync[] = [];
  const failed: string[] = [];
  for (const outcome of outcomes) {
    if (outcome.outcome === "failed") failed.push(`${outcome.projectId}: ${outcome.reason}`);
    else if ("skipped" in outcome.result) {
      process.stdout.write(`${outcome.projectId}: skipped, another sync of the project was running\n`);
    } else {
      summaries.push(outcome.result);
      if (outcome.result.status === "failed") failed.push(`${outcome.projectId}: ${outcome.result.error}`);
    }
  }
  if (summaries.length > 0) {
    process.stdout.write(`${formatSummaries(summaries.map((s) => ({ ...s, preview: [] })))}\n`);
  }
  if (failed.length > 0) {
    process.stderr.write(`\nSync failed for ${failed.length} of ${outcomes.length} project(s):\n`);
    for (const line of failed) process.stderr.write(`  ${line}\n`);
    throw new ExitError(EXIT_FAILED);
  }
}

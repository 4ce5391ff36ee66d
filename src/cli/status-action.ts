import { ConfigError } from "../config/config-error.js";
import { loadConfig } from "../config/config.js";
import { configuredProjectIds } from "../config/configured-project-ids.js";
import { loadProjectStatus, type ProjectStatus } from "../db/project-status.js";
import { readQueuePrefix } from "../queue/queue-prefix.js";
import type { QueueStatus } from "../queue/queue-status.js";
import { formatDuration, table } from "./format-summary.js";
import { openExistingDatabase } from "./open-existing-database.js";

export interface StatusOptions {
  json: boolean;
  runs: string;
}

/** `status`: each project's last runs and watermark, and the queue's state when REDIS_URL is set. */
export async function statusAction(options: StatusOptions): Promise<void> {
  const config = loadConfig(process.env, { metastudio: false });
  // Only the IDs: status reads the database, never MetaStudio, so needs no endpoint or credentials.
  const projectIds = configuredProjectIds(process.env);
  const runs = Number(options.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 1000) {
    throw new ConfigError(
      `--runs must be a whole number from 1 to 1000; got ${JSON.stringify(options.runs)}.`,
    );
  }
  const database = await openExistingDatabase(config, "status");
  let statuses: ProjectStatus[];
  try {
    statuses = await loadProjectStatus(database.db, projectIds, runs);
  } finally {
    await database.close();
  }
  const queue =
    config.redisUrl === undefined
      ? undefined
      : await (
          await import("../queue/queue-status.js")
        ).fetchQueueStatus(
          config.redisUrl,
          readQueuePrefix(process.env),
          statuses.map((s) => s.projectId),
        );
  if (options.json) {
    // Still an array of projects, so scripts written before the queue existed keep working.
    const withQueue = statuses.map((status) => ({
      ...status,
      ...(queue === undefined
        ? {}
        : "error" in queue
          ? { queue: { error: queue.error } }
          : { queue: queue.projects.find((p) => p.projectId === status.projectId) }),
    }));
    process.stdout.write(`${JSON.stringify(withQueue, null, 2)}\n`);
    return;
  }
  if (statuses.length === 0) {
    process.stdout.write("No projects configured and no runs recorded yet.\n");
    return;
  }
  if (queue !== undefined) process.stdout.write(`${formatQueue(queue)}\n\n`);
  for (const status of statuses) {
    const projectQueue =
      queue === undefined || "error" in queue
        ? undefined
        : queue.projects.find((p) => p.projectId === status.projectId);
    process.stdout.write(
      `${formatStatus(status)}${projectQueue ? `\n${formatProjectQueue(projectQueue)}` : ""}\n\n`,
    );
  }
}

function formatStatus(status: ProjectStatus): string {
  const header = [
    `project ${status.projectId}${status.account ? ` (account ${status.account})` : ""}: ` +
      `${status.liveRooms} live rooms, ${status.deletedRooms} deleted`,
    `  watermark ${status.watermark?.toISOString() ?? "none (next run reads everything)"}; ` +
      `filter observed on ${status.filterField ?? "(not yet known)"}`,
    `  last success ${status.lastSuccessAt?.toISOString() ?? "never"}; ` +
      `last full success ${status.lastFullSuccessAt?.toISOString() ?? "never"}`,
  ];
  if (status.runs.length === 0) return [...header, "  no runs yet"].join("\n");
  const rows = status.runs.map((run) => [
    run.startedAt.toISOString(),
    run.mode,
    run.trigger,
    run.status,
    run.requests,
    run.roomsInserted,
    run.roomsUpdated,
    run.roomsUnchanged,
    run.roomsDeleted,
    run.finishedAt ? formatDuration(run.finishedAt.getTime() - run.startedAt.getTime()) : "-",
    run.error ? run.error.slice(0, 80) : "",
  ]);
  const runs = table(
    [
      "started",
      "mode",
      "trigger",
      "status",
      "requests",
      "inserted",
      "updated",
      "unchanged",
      "deleted",
      "took",
      "error",
    ],
    rows,
  );
  return [...header, runs.replace(/^/gm, "  ")].join("\n");
}

function formatQueue(queue: QueueStatus | { error: string }): string {
  if ("error" in queue) return `queue: unavailable (${queue.error})`;
  const c = queue.counts;
  return `queue: ${c.waiting} waiting, ${c.active} active, ${c.delayed} delayed, ${c.failed} failed`;
}

function formatProjectQueue(project: QueueStatus["projects"][number]): string {
  const c = project.counts;
  return (
    `  queue: ${c.active} active, ${c.waiting} waiting, ${c.delayed} delayed; next incremental ` +
    `${project.nextIncrementalAt?.toISOString() ?? "not scheduled"}, next full ` +
    `${project.nextFullAt?.toISOString() ?? "not scheduled"}`
  );
}

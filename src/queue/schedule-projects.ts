import type { Queue } from "bullmq";

import { ConfigError } from "../config/config-error.js";
import type { RunMode } from "../db/schema.js";
import { parseSchedule, type Schedule } from "./parse-schedule.js";
import { schedulerId, SYNC_JOB_OPTIONS } from "./sync-job-options.js";
import type { SyncJobData } from "./sync-queue.js";

export interface ScheduleProjectsOptions {
  projectIds: string[];
  /** Each project's account name, stored in its scheduled jobs' data for the board. */
  accountOf?: (projectId: string) => string | undefined;
  /**
   * Projects this deployment configured before and no longer does (retireProjectsExcept): their
   * schedulers are removed. Only these: another deployment on the same Redis and prefix owns
   * schedulers of projects this one never had, and they are left alone. @default []
   */
  retired?: string[];
  /** `SYNC_INCREMENTAL_EVERY`: an interval or a cron pattern. */
  incrementalEvery: string;
  /** `SYNC_FULL_EVERY`: an interval or a cron pattern. */
  fullEvery: string;
}

export interface ScheduledProjects {
  /** Scheduler IDs stored or refreshed. */
  upserted: string[];
  /** Scheduler IDs of retired projects, removed. */
  removed: string[];
}

const SCHEDULER_ID = /^sync-(incremental|full)-(.+)$/;

export { schedulerId };

/**
 * Makes the queue's schedulers match the configuration: an incremental and a full scheduler per
 * configured project, none for a retired one. Safe to run on every worker start, by several workers
 * at once: an upsert with an unchanged schedule keeps the next run where it was (BullMQ replaces
 * the pending iteration with the same timestamp), so restarts neither skip nor add runs. When
 * workers disagree (a rolling deploy changing the projects), the last one to start wins.
 */
export async function scheduleProjects(
  queue: Queue<SyncJobData>,
  options: ScheduleProjectsOptions,
): Promise<ScheduledProjects> {
  // Both parsed before anything is written, so a typo changes nothing in Redis.
  const schedules: Record<RunMode, { schedule: Schedule; variable: string }> = {
    incremental: {
      schedule: parseSchedule(options.incrementalEvery, "SYNC_INCREMENTAL_EVERY"),
      variable: "SYNC_INCREMENTAL_EVERY",
    },
    full: { schedule: parseSchedule(options.fullEvery, "SYNC_FULL_EVERY"), variable: "SYNC_FULL_EVERY" },
  };
  const upserted: string[] = [];
  for (const projectId of options.projectIds) {
    for (const mode of ["incremental", "full"] as const) {
      const id = schedulerId(projectId, mode);
      const { schedule, variable } = schedules[mode];
      try {
        await queue.upsertJobScheduler(id, schedule, {
          name: `${mode} ${projectId}`,
          data: { projectId, mode, trigger: "schedule", account: options.accountOf?.(projectId) },
          opts: SYNC_JOB_OPTIONS,
        });
      } catch (cause) {
        // BullMQ's cron parser is the judge of field ranges; name the variable, not our stack.
        if ("pattern" in schedule && cause instanceof Error && !isConnectionError(cause)) {
          throw new ConfigError(`${variable} is not a valid cron pattern: ${cause.message}`, { cause });
        }
        throw new Error(`Could not store the ${mode} schedule of project ${projectId}.`, { cause });
      }
      upserted.push(id);
    }
  }
  const configured = new Set(options.projectIds);
  const retired = new Set((options.retired ?? []).filter((id) => !configured.has(id)));
  const removed: string[] = [];
  if (retired.size === 0) return { upserted, removed };
  for (const scheduler of await queue.getJobSchedulers()) {
    const match = SCHEDULER_ID.exec(scheduler.key);
    if (!match || !retired.has(match[2]!)) continue;
    await queue.removeJobScheduler(scheduler.key);
    removed.push(scheduler.key);
  }
  if (removed.length > 0) await removeUnstartedJobs(queue, new Set(removed));
  return { upserted, removed };
}

/**
 * BullMQ drops a removed scheduler's next delayed iteration but not one already due; workers
 * would then refuse it (its project is no longer configured) and it would sit among the failed.
 */
async function removeUnstartedJobs(queue: Queue<SyncJobData>, schedulers: Set<string>): Promise<void> {
  const pending = await queue.getJobs(["wait", "prioritized", "paused", "delayed"]);
  for (const job of pending) {
    if (job?.repeatJobKey === undefined || !schedulers.has(job.repeatJobKey)) continue;
    // A worker may take it meanwhile; removing a locked job fails, and the worker refuses it.
    await job.remove().catch(() => {});
  }
}

function isConnectionError(error: Error): boolean {
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection is closed/i.test(error.message);
}

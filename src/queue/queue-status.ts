import type { Job, Queue } from "bullmq";
import type { Redis } from "ioredis";

import { connectRedis } from "./connect-redis.js";
import { schedulerId } from "./schedule-projects.js";
import { createSyncQueue, type SyncJobData } from "./sync-queue.js";

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

export interface ProjectQueueStatus {
  projectId: string;
  /** When the schedulers next add a job; null when the project has no scheduler (no worker started yet). */
  nextIncrementalAt: Date | null;
  nextFullAt: Date | null;
  /** This project's jobs now; `delayed` leaves out future scheduler iterations, reported above. */
  counts: Omit<QueueCounts, "failed">;
}

export interface QueueStatus {
  /** The whole queue, as BullMQ counts it (prioritized jobs count as waiting). */
  counts: QueueCounts;
  projects: ProjectQueueStatus[];
}

/** The queue's side of `status`: how much is pending, and when each project runs next. */
export async function loadQueueStatus(queue: Queue<SyncJobData>, projectIds: string[]): Promise<QueueStatus> {
  const [raw, schedulers, active, waiting, delayed] = await Promise.all([
    queue.getJobCounts("wait", "prioritized", "paused", "active", "delayed", "failed"),
    queue.getJobSchedulers(),
    queue.getJobs(["active"]),
    queue.getJobs(["wait", "prioritized", "paused"]),
    queue.getJobs(["delayed"]),
  ]);
  const nextRun = new Map(schedulers.map((s) => [s.key, s.next]));
  const at = (key: string): Date | null => {
    const next = nextRun.get(key);
    return next === undefined ? null : new Date(next);
  };
  const started = (job: Job<SyncJobData>) => job.repeatJobKey === undefined || job.attemptsStarted > 0;
  const count = (jobs: Array<Job<SyncJobData> | undefined>, projectId: string) =>
    jobs.filter((job) => job?.data.projectId === projectId).length;
  return {
    counts: {
      waiting: (raw.wait ?? 0) + (raw.prioritized ?? 0) + (raw.paused ?? 0),
      active: raw.active ?? 0,
      delayed: raw.delayed ?? 0,
      failed: raw.failed ?? 0,
    },
    projects: projectIds.map((projectId) => ({
      projectId,
      nextIncrementalAt: at(schedulerId(projectId, "incremental")),
      nextFullAt: at(schedulerId(projectId, "full")),
      counts: {
        active: count(active, projectId),
        waiting: count(waiting, projectId),
        delayed: count(
          delayed.filter((job) => job !== undefined && started(job)),
          projectId,
        ),
      },
    })),
  };
}

/**
 * The queue status from a Redis URL, for `status`: Redis being down is reported, not thrown, so
 * the database's side of the status still prints.
 */
export async function fetchQueueStatus(
  redisUrl: string,
  prefix: string,
  projectIds: string[],
): Promise<QueueStatus | { error: string }> {
  let redis: Redis;
  try {
    // Connected first: BullMQ's lazily built helpers leave unhandled rejections when Redis is down.
    redis = await connectRedis(redisUrl, 5000);
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  const queue = createSyncQueue({ connection: redis, prefix });
  queue.on("error", () => {});
  try {
    return await withDeadline(loadQueueStatus(queue, projectIds), 10_000);
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  } finally {
    await queue.close().catch(() => {});
    redis.disconnect();
  }
}

async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

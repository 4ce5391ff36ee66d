import { randomUUID } from "node:crypto";

import type { Job, Queue } from "bullmq";

import type { RunMode, RunTrigger } from "../db/schema.js";
import { schedulerId, SYNC_JOB_OPTIONS, syncKey } from "./sync-job-options.js";
import type { EnqueuedSync, SyncJobData } from "./sync-queue.js";

export interface EnqueueSyncRequest {
  projectId: string;
  mode: RunMode;
  /** @default "manual" */
  trigger?: RunTrigger;
  /** Let a full run mark more than the threshold deleted. @default false */
  allowMassDelete?: boolean;
}

/**
 * Adds a sync job unless one for the same project and mode is already pending: waiting, delayed
 * (a backoff or a busy project) or active. Asking twice therefore runs once.
 *
 * Two mechanisms, because BullMQ deduplicates only the jobs that carry a deduplication ID and
 * job schedulers cannot carry one (the next iteration is created while the current one is active,
 * so it would deduplicate itself away):
 * - manual jobs carry the ID `${projectId}:${mode}`; BullMQ checks and adds atomically and frees
 *   the ID when the job completes or finally fails, so concurrent `resync`s never add two;
 * - scheduled jobs are looked up first. The race left: a scheduled job becoming active between
 *   the lookup and the add. The manual job then runs after it (the project lock makes it wait),
 *   which is one redundant run, never two at once.
 */
export async function enqueueSync(
  queue: Queue<SyncJobData>,
  request: EnqueueSyncRequest,
): Promise<EnqueuedSync> {
  const { projectId, mode } = request;
  const scheduled = await findPendingScheduled(queue, projectId, mode);
  if (scheduled?.id) return { projectId, mode, jobId: scheduled.id, deduplicated: true };

  // BullMQ refuses ':' in custom IDs; the UUID keeps IDs unique across completed jobs.
  const jobId = `manual-${mode}-${projectId}-${randomUUID()}`;
  const data: SyncJobData = {
    projectId,
    mode,
    trigger: request.trigger ?? "manual",
    ...(request.allowMassDelete ? { allowMassDelete: true } : {}),
  };
  const job = await queue.add(`${mode} ${projectId}`, data, {
    ...SYNC_JOB_OPTIONS,
    jobId,
    deduplication: { id: syncKey(projectId, mode) },
  });
  // A deduplicated add returns the job that holds the ID instead of the one asked for.
  const added = job.id ?? jobId;
  return { projectId, mode, jobId: added, deduplicated: added !== jobId };
}

/**
 * A scheduled job of this project and mode that is running or due. A delayed scheduled job
 * counts only once it has started (it is waiting out a backoff or a busy project): the next
 * iteration of a schedule, hours away, is not a reason to ignore a manual request. Job IDs are
 * matched first, so a request reads a handful of jobs, not every job of every project.
 */
async function findPendingScheduled(
  queue: Queue<SyncJobData>,
  projectId: string,
  mode: RunMode,
): Promise<Job<SyncJobData> | undefined> {
  const idPrefix = `repeat:${schedulerId(projectId, mode)}:`;
  const ours = (ids: string[]) => ids.filter((id) => id.startsWith(idPrefix));
  const [due] = ours(await queue.getRanges(["active", "wait", "prioritized", "paused"]));
  if (due !== undefined) {
    // It may have finished since; then there is nothing to deduplicate against.
    const job = await queue.getJob(due);
    if (job && !(await job.isCompleted()) && !(await job.isFailed())) return job;
  }
  for (const id of ours(await queue.getRanges(["delayed"]))) {
    const job = await queue.getJob(id);
    if (job && job.attemptsStarted > 0) return job;
  }
  return undefined;
}

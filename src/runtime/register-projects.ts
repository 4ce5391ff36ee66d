import type { Queue } from "bullmq";

import { accountOf, allProjectIds, type Config } from "../config/config.js";
import type { Db } from "../db/database.js";
import { retireProjectsExcept, upsertSyncProjects } from "../db/sync-projects.js";
import type { Logger } from "../logger.js";
import { scheduleProjects } from "../queue/schedule-projects.js";
import type { SyncJobData } from "../queue/sync-queue.js";

/**
 * Stores the configured projects (`sync_projects`: each one's account and endpoint) and, with
 * `schedule`, retires the projects no longer configured and stores the schedulers of the others,
 * removing the retired ones'.
 */
export async function registerProjects(
  db: Db,
  queue: Queue<SyncJobData>,
  options: { config: Config; logger: Logger; schedule: boolean },
): Promise<void> {
  const { config } = options;
  const projectIds = allProjectIds(config.accounts);
  const now = new Date();
  await upsertSyncProjects(
    db,
    config.accounts.flatMap((a) =>
      a.projectIds.map((projectId) => ({ projectId, account: a.name, endpoint: a.endpoint })),
    ),
    now,
  );
  if (!options.schedule) return;
  const result = await scheduleProjects(queue, {
    projectIds,
    accountOf: (projectId) => accountOf(config.accounts, projectId)?.name,
    retired: await retireProjectsExcept(db, projectIds, now),
    incrementalEvery: config.sync.incrementalEvery,
    fullEvery: config.sync.fullEvery,
  });
  options.logger.info(
    { schedulers: result.upserted.length, removed: result.removed },
    "schedules stored for the configured projects",
  );
}

import { sql } from "drizzle-orm";

import type { Db } from "./database.js";
import { queryRows } from "./query-rows.js";
import { projectsWithRuns, recentRuns } from "./sync-runs.js";
import { loadSyncState } from "./sync-state.js";

export interface ProjectStatus {
  projectId: string;
  /** From `sync_projects`; null for a project no worker or sync of this version has started with. */
  account: string | null;
  endpoint: string | null;
  liveRooms: number;
  deletedRooms: number;
  watermark: Date | null;
  filterField: string | null;
  lastSuccessAt: Date | null;
  lastFullSuccessAt: Date | null;
  runs: Awaited<ReturnType<typeof recentRuns>>;
}

/** What `status` and the admin API report per project; every project with runs when none named. */
export async function loadProjectStatus(
  db: Db,
  projectIds: string[] | undefined,
  runs: number,
): Promise<ProjectStatus[]> {
  const ids = projectIds ?? (await projectsWithRuns(db));
  return Promise.all(
    ids.map(async (projectId) => {
      const [state, recent, [counts], [project]] = await Promise.all([
        loadSyncState(db, projectId),
        recentRuns(db, projectId, runs),
        queryRows<{ live: number; deleted: number }>(
          db,
          sql`select (count(*) filter (where deleted_at is null))::int as live,
                     (count(*) filter (where deleted_at is not null))::int as deleted
                from smart_chat_rooms where project_id = ${projectId}`,
        ),
        queryRows<{ account: string; endpoint: string | null }>(
          db,
          sql`select account, endpoint from sync_projects where project_id = ${projectId}`,
        ),
      ]);
      return {
        projectId,
        account: project?.account ?? null,
        endpoint: project?.endpoint ?? null,
        liveRooms: Number(counts?.live ?? 0),
        deletedRooms: Number(counts?.deleted ?? 0),
        watermark: state?.watermark ?? null,
        filterField: state?.filterField ?? null,
        lastSuccessAt: state?.lastSuccessAt ?? null,
        lastFullSuccessAt: state?.lastFullSuccessAt ?? null,
        runs: recent,
      };
    }),
  );
}

import { and, isNull, notInArray, sql } from "drizzle-orm";

import type { Db } from "./database.js";
import { syncProjects } from "./schema.js";

export interface ConfiguredProject {
  projectId: string;
  account: string;
  endpoint: string;
}

/** Records the configured projects' account and endpoint; a retired project comes back. */
export async function upsertSyncProjects(db: Db, projects: ConfiguredProject[], now: Date): Promise<void> {
  if (projects.length === 0) return;
  await db
    .insert(syncProjects)
    .values(projects.map((p) => ({ ...p, firstConfiguredAt: now, lastConfiguredAt: now })))
    .onConflictDoUpdate({
      target: syncProjects.projectId,
      set: {
        account: sql`excluded.account`,
        endpoint: sql`excluded.endpoint`,
        lastConfiguredAt: now,
        retiredAt: null,
      },
    });
}

/**
 * Marks retired every project of this database not in `configured` and not retired yet, and
 * returns them: the projects whose schedules this deployment stored and should now remove.
 */
export async function retireProjectsExcept(db: Db, configured: string[], now: Date): Promise<string[]> {
  const rows = await db
    .update(syncProjects)
    .set({ retiredAt: now })
    .where(
      and(
        isNull(syncProjects.retiredAt),
        configured.length > 0 ? notInArray(syncProjects.projectId, configured) : undefined,
      ),
    )
    .returning({ projectId: syncProjects.projectId });
  return rows.map((row) => row.projectId);
}

/** Each known project's account, for `status` and the admin API. */
export async function loadProjectAccounts(db: Db): Promise<Map<string, string>> {
  const rows = await db
    .select({ projectId: syncProjects.projectId, account: syncProjects.account })
    .from(syncProjects);
  return new Map(rows.map((row) => [row.projectId, row.account]));
}

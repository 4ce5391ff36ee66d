import { and, desc, eq, gt, inArray, sql, type SQL } from "drizzle-orm";

import type { Db } from "./database.js";
import { queryRows } from "./query-rows.js";
import { syncRuns, type RunMode, type RunStatus, type RunTrigger } from "./schema.js";

export type RunCounts = Pick<
  typeof syncRuns.$inferInsert,
  | "requests"
  | "roomsSeen"
  | "roomsInserted"
  | "roomsUpdated"
  | "roomsUnchanged"
  | "roomsDeleted"
  | "itemsInvalid"
>;

/** A run as it starts: what its `sync_runs` row is inserted with. */
export interface NewRun {
  projectId: string;
  mode: RunMode;
  trigger: RunTrigger;
  startedAt: Date;
  windowStart: Date | null;
  windowEnd: Date | null;
  resumedFrom: string | null;
}

export async function insertRun(db: Db, run: NewRun): Promise<string> {
  const [row] = await db
    .insert(syncRuns)
    .values({ ...run, status: "running" })
    .returning({ id: syncRuns.id });
  return row!.id;
}

export async function finishRun(
  db: Db,
  runId: string,
  outcome: { status: Exclude<RunStatus, "running">; finishedAt: Date; error: string | null } & RunCounts,
): Promise<void> {
  await db.update(syncRuns).set(outcome).where(eq(syncRuns.id, runId));
}

const INTERRUPTED = "interrupted: the process running it stopped before it finished";

/**
 * Runs still marked running for a project whose lock we now hold were cut off (the process died,
 * the worker was killed): they are closed as failed, which also makes a full one resumable.
 */
export async function failInterruptedRuns(db: Db, projectId: string, now: Date): Promise<number> {
  return failRunning(db, eq(syncRuns.projectId, projectId), now);
}

/** Runs marked running, live or cut off, by project (the `sync_runs_running_idx` partial index). */
export async function runningRunsByProject(db: Db): Promise<Map<string, string[]>> {
  const rows = await db
    .select({ id: syncRuns.id, projectId: syncRuns.projectId })
    .from(syncRuns)
    .where(eq(syncRuns.status, "running"));
  const byProject = new Map<string, string[]>();
  for (const { id, projectId } of rows) {
    const ids = byProject.get(projectId);
    if (ids) ids.push(id);
    else byProject.set(projectId, [id]);
  }
  return byProject;
}

/** failInterruptedRuns for the runs `runIds` only, those of them still marked running. */
export async function failInterruptedRunsById(db: Db, runIds: string[], now: Date): Promise<number> {
  return failRunning(db, inArray(syncRuns.id, runIds), now);
}

async function failRunning(db: Db, which: SQL, now: Date): Promise<number> {
  const rows = await db
    .update(syncRuns)
    .set({ status: "failed", finishedAt: now, error: INTERRUPTED })
    .where(and(which, eq(syncRuns.status, "running")))
    .returning({ id: syncRuns.id });
  return rows.length;
}

/** The latest full run of a project started after `notBefore`: the one a full run may resume. */
export async function latestFullRun(
  db: Db,
  projectId: string,
  notBefore: Date,
): Promise<{ id: string; status: RunStatus; error: string | null } | null> {
  const [lastFull] = await db
    .select({ id: syncRuns.id, status: syncRuns.status, error: syncRuns.error })
    .from(syncRuns)
    .where(
      and(eq(syncRuns.projectId, projectId), eq(syncRuns.mode, "full"), gt(syncRuns.startedAt, notBefore)),
    )
    .orderBy(desc(syncRuns.startedAt))
    .limit(1);
  return lastFull ?? null;
}

/**
 * When the earliest run of a resume chain started: the run `runId`, the run it resumed, the run
 * that one resumed, and so on (`resumed_from`).
 */
export async function resumeChainStart(db: Db, runId: string): Promise<Date> {
  // `union` (not `union all`) ends the walk even on a cycle no run can make.
  const [row] = await queryRows<{ started_ms: number | string }>(
    db,
    sql`
      with recursive chain (id, resumed_from, started_at) as (
        select id, resumed_from, started_at from sync_runs where id = ${runId}::uuid
        union
        select r.id, r.resumed_from, r.started_at
          from sync_runs r join chain c on r.id = c.resumed_from
      )
      select (extract(epoch from min(started_at)) * 1000)::float8 as started_ms from chain`,
  );
  return new Date(Number(row!.started_ms));
}

export async function recentRuns(db: Db, projectId: string, limit: number) {
  return db
    .select()
    .from(syncRuns)
    .where(eq(syncRuns.projectId, projectId))
    .orderBy(desc(syncRuns.startedAt))
    .limit(limit);
}

/** Projects that have any run recorded, for `status` when no project is configured. */
export async function projectsWithRuns(db: Db): Promise<string[]> {
  const rows = await db
    .selectDistinct({ projectId: syncRuns.projectId })
    .from(syncRuns)
    .orderBy(sql`1`);
  return rows.map((row) => row.projectId);
}

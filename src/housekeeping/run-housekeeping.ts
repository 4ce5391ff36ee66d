import type { HousekeepingConfig } from "../config/config.js";
import type { Database } from "../db/database.js";
import { tryLockProject } from "../db/project-lock.js";
import { pruneChanges, pruneRequests, pruneRuns, pruneScratch } from "../db/prune-history.js";
import type { Logger } from "../logger.js";
import { closeAbandonedRuns } from "./close-abandoned-runs.js";

export type PrunedTable = "sync_requests" | "sync_runs" | "scratch" | "smart_chat_room_changes";

/** Where housekeeping outcomes go besides the log; the admin server's metrics implement it. */
export interface HousekeepingRecorder {
  recordPruned(table: PrunedTable, rows: number): void;
  recordHousekeeping(outcome: "succeeded" | "failed" | "skipped", durationMs: number): void;
}

/** Rows deleted per table, and runs closed that a dead process had left marked running. */
export type HousekeepingResult =
  { skipped: "another process is pruning" } | (Record<PrunedTable, number> & { runs_closed: number });

/** Not a project ID (those have no `:`), so it cannot collide with a run's lock. */
const LOCK_NAME = "housekeeping:";
/** Batches per table in one pass; a backlog larger than this is finished by the next pass. */
const MAX_BATCHES = 10_000;

/**
 * The most Postgres connections a pass holds at once: its lock's, for the whole pass
 * (tryLockProject), and one for its statements, which run one at a time.
 */
export const HOUSEKEEPING_CONNECTIONS = 2;

/**
 * One housekeeping pass: closes runs a dead process left running (closeAbandonedRuns), then
 * deletes what is past its retention, table by table, in batches (see prune-history.ts), while
 * syncs keep writing. One process of the deployment at a time (an advisory lock in its
 * database), so replicas do not repeat each other's work.
 */
export async function runHousekeeping(
  database: Database,
  config: HousekeepingConfig,
  options: { logger: Logger; recorder?: HousekeepingRecorder; now?: Date; signal?: AbortSignal },
): Promise<HousekeepingResult> {
  const started = performance.now();
  const lock = await tryLockProject(database, LOCK_NAME);
  if (!lock) {
    options.recorder?.recordHousekeeping("skipped", performance.now() - started);
    return { skipped: "another process is pruning" };
  }
  const now = options.now ?? new Date();
  const ago = (days: number) => new Date(now.getTime() - days * 86_400_000);
  const steps: Array<[PrunedTable, (limit: number) => Promise<number>]> = [
    ["scratch", (limit) => pruneScratch(database.db, ago(config.scratchDays), limit)],
    ["sync_requests", (limit) => pruneRequests(database.db, ago(config.requestsDays), limit)],
    ["sync_runs", (limit) => pruneRuns(database.db, ago(config.runsDays), limit)],
  ];
  if (config.changesDays !== undefined) {
    const before = ago(config.changesDays);
    steps.push(["smart_chat_room_changes", (limit) => pruneChanges(database.db, before, limit)]);
  }
  const result: Record<PrunedTable, number> = {
    scratch: 0,
    sync_requests: 0,
    sync_runs: 0,
    smart_chat_room_changes: 0,
  };
  try {
    // First, so a closed run's change rows, which age by when they were observed, can go by their
    // retention in this very pass; its scratch and its row age from now, when it was closed.
    const runsClosed = await closeAbandonedRuns(database, now);
    for (const [table, prune] of steps) {
      for (let batch = 0; batch < MAX_BATCHES && lock.held; batch += 1) {
        options.signal?.throwIfAborted();
        const rows = await prune(config.batchSize);
        result[table] += rows;
        options.recorder?.recordPruned(table, rows);
        if (rows < config.batchSize) break;
        // Let the syncs' own statements through between batches.
        await new Promise((resolve) => setTimeout(resolve, config.pauseMs));
      }
    }
    options.recorder?.recordHousekeeping("succeeded", performance.now() - started);
    options.logger.info(
      { pruned: result, runs_closed: runsClosed, duration_ms: Math.round(performance.now() - started) },
      "housekeeping done",
    );
    return { ...result, runs_closed: runsClosed };
  } catch (error) {
    options.recorder?.recordHousekeeping("failed", performance.now() - started);
    throw error;
  } finally {
    await lock.release();
  }
}

/**
 * Runs housekeeping a minute after start and then every `config.everyHours`, never two passes at
 * once in this process; a failed pass is logged and the next one tries again. Returns the stop.
 */
export function scheduleHousekeeping(
  database: Database,
  config: HousekeepingConfig,
  options: { logger: Logger; recorder?: HousekeepingRecorder; firstDelayMs?: number },
): () => Promise<void> {
  if (config.everyHours === 0) return () => Promise.resolve();
  const abort = new AbortController();
  let running: Promise<unknown> = Promise.resolve();
  const pass = () => {
    running = runHousekeeping(database, config, { ...options, signal: abort.signal }).catch(
      (error: unknown) => {
        if (!abort.signal.aborted)
          options.logger.warn({ err: error }, "housekeeping failed; next pass retries");
      },
    );
  };
  const first = setTimeout(pass, options.firstDelayMs ?? 60_000 + Math.floor(Math.random() * 30_000));
  const every = setInterval(pass, config.everyHours * 3_600_000);
  first.unref();
  every.unref();
  return async () => {
    clearTimeout(first);
    clearInterval(every);
    abort.abort();
    await running;
  };
}

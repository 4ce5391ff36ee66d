import type { ThrowawayPostgres } from "./throwaway-postgres.js";

/** One row of the final table: what a drill did and what it found. */
export interface DrillResult {
  drill: string;
  /** What was done, in one line: "Postgres stopped after 12 of 40 pages, restarted 2 s later". */
  did: string;
  runsFailed: number;
  runsSucceeded: number;
  /** Requests the simulator received, failed and retried ones included. */
  requests: number;
  /** Rooms upstream at the end. */
  rooms: number;
  ok: boolean;
  /** "exact", or what is wrong. */
  outcome: string;
}

export interface DrillContext {
  /** The drills' own Postgres; a drill may stop and restart it, and must leave it running. */
  postgres: ThrowawayPostgres;
  /** Rooms per project, for drills that scale. */
  rooms: number;
  /** One line of narration, prefixed with the drill's name. */
  say(line: string): void;
}

/**
 * A fault drill: a module exporting one of these is added to the runner's list (run.ts). Drills
 * that need more services (a Redis to restart, worker processes to kill) start their own, as
 * the Postgres ones do, and clean up through the cleanup registry.
 */
export interface Drill {
  /** Short, for `--only` and the table. */
  name: string;
  run(context: DrillContext): Promise<DrillResult[]>;
}

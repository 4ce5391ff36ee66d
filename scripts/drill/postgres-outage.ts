import type { ThrowawayPostgres } from "./throwaway-postgres.js";

export interface PostgresOutage {
  /** Resolves once the server is down: every connection cut, nothing accepted. */
  stopped: Promise<void>;
  /** Resolves once it accepts connections again; rejects if it could not be restarted. */
  restarted: Promise<void>;
  /** How long it was down, once restarted. */
  downMs(): number;
}

/**
 * Crashes the drills' Postgres (an immediate stop: no checkpoint, open transactions lost, clients
 * cut off mid-query) and starts it again `downMs` later. Never throws synchronously; a failure
 * to restart surfaces through `restarted`, which the caller must await.
 */
export function crashPostgres(postgres: ThrowawayPostgres, downMs: number): PostgresOutage {
  let stoppedAt = 0;
  let startedAt = 0;
  const stopped = postgres.stop("immediate").then(() => {
    stoppedAt = performance.now();
  });
  const restarted = stopped
    .then(() => new Promise((resolve) => setTimeout(resolve, downMs)))
    .then(() => postgres.start())
    .then(() => {
      startedAt = performance.now();
    });
  // Awaited by the caller later; until then a rejection must not count as unhandled.
  restarted.catch(() => {});
  return { stopped, restarted, downMs: () => startedAt - stoppedAt };
}

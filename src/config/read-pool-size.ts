import { ConfigError } from "./config-error.js";
import { type Env, readEnv, readNumber } from "./read-env.js";

/**
 * `DATABASE_POOL_SIZE`, the worker's Postgres connections at most; undefined when unset (the
 * worker then sizes its pool to its runs, see workerPoolSize). A pool smaller than that makes runs
 * share connections, which is slower but safe down to a floor: every run holds one connection for
 * its project lock all run long, and housekeeping one for its own, so with fewer than one each plus
 * one to run their statements (and one for the readiness check) every run would wait for a
 * connection held by another run waiting too.
 */
export function readPoolSize(env: Env, workerConcurrency: number): number | undefined {
  if (readEnv(env, "DATABASE_POOL_SIZE") === undefined) return undefined;
  const size = readNumber(env, "DATABASE_POOL_SIZE", 0, { min: 1, max: 10_000, integer: true });
  const least = minimumPoolSize(workerConcurrency);
  if (size < least) {
    throw new ConfigError(
      `DATABASE_POOL_SIZE ${size} is below the ${least} connections WORKER_CONCURRENCY ${workerConcurrency} ` +
        `needs to make progress (one per run's project lock, housekeeping's lock, one for statements, ` +
        `one for the readiness check); raise it or lower WORKER_CONCURRENCY.`,
    );
  }
  return size;
}

/** The fewest connections `workerConcurrency` runs beside housekeeping can make progress with. */
export function minimumPoolSize(workerConcurrency: number): number {
  return workerConcurrency + 3;
}

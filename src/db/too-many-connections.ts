import type { ConnectionLimit, ConnectionLimits } from "./connection-limits.js";

/** SQLSTATE too_many_connections: a limit of the server, the role or the database is reached. */
export const TOO_MANY_CONNECTIONS = "53300";

/** What a pool knows that explains a refused connection. */
export interface PoolFacts {
  /** The pool's connections at most. */
  readonly max: number;
  /** The server's limits as read when the worker started (checkConnectionBudget); unset before. */
  limits?: ConnectionLimits;
}

/** What each worker opens, and what to turn, in the words every message about it uses. */
export const POOL_KNOBS =
  "each worker opens up to DATABASE_POOL_SIZE (by default 6 x WORKER_CONCURRENCY + 3); lower " +
  "DATABASE_POOL_SIZE or WORKER_CONCURRENCY, run fewer workers, or raise the limit";

/** The server's words for each limit (English; other lc_messages fall back to its own words). */
const SCOPES: Array<[ConnectionLimit["scope"], RegExp]> = [
  ["role", /too many connections for role/],
  ["database", /too many connections for database/],
  ["server", /too many clients already|remaining connection slots are reserved/],
];

/**
 * A connection the server refused with SQLSTATE 53300 as an error a user can act on: which limit
 * (and its value, when the worker read it at start), what this process opens and which settings
 * to turn; undefined for any other error. Every later connect of a pool at the limit fails the
 * same way, and a run fails with it, so its message is what the job, `sync_runs` and the CLI show.
 */
export function explainTooManyConnections(error: Error, pool: PoolFacts): Error | undefined {
  const { code, severity } = error as Error & { code?: unknown; severity?: unknown };
  if (code !== TOO_MANY_CONNECTIONS) return undefined;
  const scope = SCOPES.find(([, words]) => words.test(error.message))?.[0];
  const message =
    `${reachedLimit(error.message, scope, pool.limits)}; this process opens up to ${pool.max} ` +
    `connections, and ${POOL_KNOBS}`;
  const explained = new Error(message, { cause: error });
  // describeError shows the first error of a cause chain that carries the server's SQLSTATE and
  // severity: with them, these words are shown (with "SQLSTATE 53300"), wherever drizzle wraps it.
  Object.assign(explained, { code, severity });
  // An operational refusal, not a bug: node-postgres' protocol parser is all a stack would show.
  explained.stack = `Error: ${message}`;
  return explained;
}

/** The limit reached, in words, with its value when known. */
function reachedLimit(
  said: string,
  scope: ConnectionLimit["scope"] | undefined,
  limits: ConnectionLimits | undefined,
): string {
  const value = limits?.limits.find((l) => l.scope === scope)?.limit;
  const known = value === undefined ? "" : ` (${value} when this process started)`;
  switch (scope) {
    case "role":
      return `${said}: the role's CONNECTION LIMIT${known} is reached`;
    case "database":
      return `${said}: the database's CONNECTION LIMIT${known} is reached`;
    case "server": {
      const reserved =
        limits && limits.reserved > 0 ? `, ${limits.reserved} of them reserved for other roles` : "";
      const setting = limits ? ` (${limits.maxConnections}${reserved})` : "";
      return `too many connections (${said}): the server's max_connections${setting} is reached`;
    }
    default:
      return `too many connections (${said})`;
  }
}

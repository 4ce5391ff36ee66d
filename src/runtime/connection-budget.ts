import {
  readConnectionLimits,
  type ConnectionLimit,
  type ConnectionLimits,
} from "../db/connection-limits.js";
import type { Database } from "../db/database.js";
import { POOL_KNOBS } from "../db/too-many-connections.js";
import { describeError } from "../describe-error.js";
import type { Logger } from "../logger.js";

/** A limit the pool could run into: what else holds connections under it, and the pool's size. */
interface Shortfall extends ConnectionLimit {
  others: number;
  poolSize: number;
}

/**
 * At worker start, once: a warning when the pool's size, added to the connections others
 * already hold, is more than a limit of the server, the role or the database allows. Postgres
 * would then refuse some of this worker's connections, and the runs that needed them would fail
 * (SQLSTATE 53300) long after the start, when the load peaks. The limits are kept on the pool
 * so that such a refusal names the one it hit. Silent when they cannot be read: this is advice,
 * and a role that may not read them must still start.
 */
export async function checkConnectionBudget(database: Database, logger: Logger): Promise<void> {
  if (database.kind !== "postgres") return;
  let limits: ConnectionLimits;
  try {
    limits = await readConnectionLimits(database.pool);
  } catch (error) {
    logger.debug({ error: describeError(error) }, "could not read Postgres' connection limits");
    return;
  }
  database.connections.limits = limits;
  // The pool's own connections are counted in use, and its size counts them again.
  const own = database.pool.totalCount;
  const poolSize = database.connections.max;
  const short = limits.limits
    .map((l): Shortfall => ({ ...l, others: Math.max(0, l.inUse - own), poolSize }))
    .filter((l) => l.others + poolSize > l.limit)
    .sort((a, b) => a.limit - a.others - (b.limit - b.others))[0];
  if (short === undefined) return;
  logger.warn(
    { pool_size: poolSize, in_use: short.others, allowed: short.limit, limit: short.scope },
    shortfallMessage(short, limits),
  );
}

function shortfallMessage(short: Shortfall, limits: ConnectionLimits): string {
  return (
    `Postgres may refuse this worker's connections (SQLSTATE 53300, too many connections): its pool opens ` +
    `up to ${short.poolSize} connections and ${short.others} others are open, more than the ${short.limit} ` +
    `that ${limitName(short.scope, limits)} allows; ${POOL_KNOBS}`
  );
}

function limitName(scope: ConnectionLimit["scope"], limits: ConnectionLimits): string {
  switch (scope) {
    case "role":
      return `role "${limits.role}"'s CONNECTION LIMIT`;
    case "database":
      return `database "${limits.database}"'s CONNECTION LIMIT`;
    case "server": {
      const reserved = limits.reserved > 0 ? `, less ${limits.reserved} reserved for other roles` : "";
      return `max_connections (${limits.maxConnections}${reserved})`;
    }
  }
}

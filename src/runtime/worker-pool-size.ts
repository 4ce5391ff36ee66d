import { HOUSEKEEPING_CONNECTIONS } from "../housekeeping/run-housekeeping.js";
import { RUN_CONNECTIONS } from "../sync/run-connections.js";

/**
 * The admin server's readiness check (src/http/readiness-check.ts): `select 1`, then the applied
 * migrations, one after the other.
 */
const ADMIN_CONNECTIONS = 1;

/**
 * The worker's Postgres pool: enough connections that `concurrency` runs at once never wait for
 * one, each holding its lock's and writing through its lanes (RUN_CONNECTIONS), beside a
 * housekeeping pass (HOUSEKEEPING_CONNECTIONS) and the admin server's readiness check. Lanes that
 * queue for a connection write one after the other, which the lanes are there to avoid, while the
 * run holds its project lock the longer.
 * With the default `WORKER_CONCURRENCY` of 4: 4 x 6 + 2 + 1 = 27. Each replica may open as many:
 * replicas x this must stay under the server's `max_connections` (100 by default) and the role's
 * and database's CONNECTION LIMIT; checkConnectionBudget warns at start when it may not.
 */
export function workerPoolSize(concurrency: number): number {
  return concurrency * RUN_CONNECTIONS + HOUSEKEEPING_CONNECTIONS + ADMIN_CONNECTIONS;
}

import { sql } from "drizzle-orm";
import type { Redis } from "ioredis";

import type { Database } from "../db/database.js";
import { readMigrationState, shippedMigrations } from "../db/migration-state.js";
import { withTimeout } from "./with-timeout.js";

export type CheckResult = { ok: true } | { ok: false; error: string };

export interface Readiness {
  ready: boolean;
  checks: { redis: CheckResult; postgres: CheckResult; migrations: CheckResult };
}

export interface ReadinessOptions {
  database: Database;
  redis: Redis;
  /** Deadline of each check; a dependency that does not answer in time counts as down. @default 2000 */
  timeoutMs?: number;
}

/**
 * Builds the `/readyz` check: Redis answers PING, Postgres answers a query, and every migration
 * this build ships is applied, and none it does not know. Each check is bounded, so a probe never hangs on a dead dependency.
 */
export function createReadinessCheck(options: ReadinessOptions): () => Promise<Readiness> {
  const { database, redis } = options;
  const timeoutMs = options.timeoutMs ?? 2000;
  const shipped = shippedMigrations();

  const checkRedis = async (): Promise<CheckResult> => {
    // A disconnected client queues commands until it reconnects; failing at once keeps probes from
    // piling PINGs into that queue during an outage.
    if (redis.status !== "ready") return { ok: false, error: `not connected (${redis.status})` };
    return attempt(async () => {
      const answer = await withTimeout(redis.ping(), timeoutMs, "PING");
      if (answer !== "PONG") throw new Error(`PING answered ${JSON.stringify(answer)}`);
    });
  };

  const checkDatabase = async (): Promise<Pick<Readiness["checks"], "postgres" | "migrations">> => {
    const postgres = await attempt(() => withTimeout(database.db.execute(sql`select 1`), timeoutMs, "query"));
    if (!postgres.ok) return { postgres, migrations: { ok: false, error: "not checked: Postgres is down" } };
    const migrations = await attempt(async () => {
      const { pending, ahead } = await withTimeout(
        readMigrationState(database.db, shipped),
        timeoutMs,
        "reading the migrations table",
      );
      // Not ready: an older replica left serving after an upgrade would write what the newer
      // schema may no longer hold, failing runs until it is replaced.
      if (ahead) {
        throw new Error(
          "the database was migrated by a newer version of metastudio-sync than this one; run that version",
        );
      }
      if (pending > 0) {
        throw new Error(
          `${pending} of ${shipped.length} migrations not applied; run \`metastudio-sync migrate\``,
        );
      }
    });
    return { postgres, migrations };
  };

  return async () => {
    const [redisResult, databaseResults] = await Promise.all([checkRedis(), checkDatabase()]);
    const checks = { redis: redisResult, ...databaseResults };
    return { ready: Object.values(checks).every((check) => check.ok), checks };
  };
}

async function attempt(check: () => Promise<unknown>): Promise<CheckResult> {
  try {
    await check();
    return { ok: true };
  } catch (error) {
    return { ok: false, error: innermostMessage(error) };
  }
}

/** Drizzle wraps driver errors in "Failed query: ..."; the driver's own message says what failed. */
function innermostMessage(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

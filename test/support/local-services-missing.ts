import { execFile } from "node:child_process";
import { promisify } from "node:util";

import { findPostgresBin, POSTGRES_INSTALL_HINT } from "../../scripts/drill/postgres-binaries.js";

const run = promisify(execFile);

/**
 * When no URL is set and no Docker engine answers, the tests start their own servers; this says
 * in one line what is missing for that (undefined: nothing), so a newcomer knows exactly what to
 * install instead of reading a stack trace.
 */
export async function localServicesMissing(need: {
  postgres: boolean;
  redis: boolean;
}): Promise<string | undefined> {
  const missing: string[] = [];
  if (need.postgres) {
    try {
      await findPostgresBin();
    } catch {
      missing.push(POSTGRES_INSTALL_HINT);
    }
  }
  if (need.redis) {
    try {
      await run("redis-server", ["--version"]);
    } catch {
      missing.push("no `redis-server` on the PATH: install Debian's `redis-server` package");
    }
  }
  if (missing.length === 0) return undefined;
  return (
    "Tests need Postgres and Redis: DATABASE_URL/REDIS_URL are unset, no Docker engine answers, " +
    `and ${missing.join("; ")} (or set DATABASE_URL and REDIS_URL).`
  );
}

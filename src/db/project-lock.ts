import type { Database } from "./database.js";

export interface ProjectLock {
  /**
   * False once the connection holding the lock has closed (Postgres restarted, the connection was
   * killed): Postgres released the lock with it, and another run may hold it now.
   */
  readonly held: boolean;
  release(): Promise<void>;
}

/** The embedded database has one session per process, where advisory locks do not exclude. */
const embeddedLocks = new Set<string>();

/**
 * At most one run per project at a time, across every process and machine sharing the database:
 * a session advisory lock held on a dedicated connection for the run's duration. It is released
 * when the run ends or, if the process dies, when Postgres closes its connection.
 * Null when another run holds it.
 */
export async function tryLockProject(database: Database, projectId: string): Promise<ProjectLock | null> {
  const key = lockKey(projectId);
  if (database.kind === "embedded") {
    if (embeddedLocks.has(key)) return null;
    embeddedLocks.add(key);
    return {
      held: true,
      release: () => {
        embeddedLocks.delete(key);
        return Promise.resolve();
      },
    };
  }
  const client = await database.pool.connect();
  try {
    const result = await client.query<{ locked: boolean }>(
      "select pg_try_advisory_lock(hashtextextended($1, 0)) as locked",
      [key],
    );
    if (!result.rows[0]?.locked) {
      client.release();
      return null;
    }
  } catch (error) {
    client.release();
    throw error;
  }
  let held = true;
  const lost = () => {
    held = false;
  };
  client.on("error", lost);
  client.once("end", lost);
  return {
    get held() {
      return held;
    },
    release: async () => {
      // The client goes back to the pool: these listeners are about this lock only.
      client.off("error", lost);
      client.off("end", lost);
      try {
        await client.query("select pg_advisory_unlock(hashtextextended($1, 0))", [key]);
        client.release();
      } catch (error) {
        // A broken connection already dropped the lock; destroy it rather than pool it.
        client.release(error instanceof Error ? error : true);
      }
    },
  };
}

/**
 * Whether a run holds `projectId`'s lock right now, looked up without taking it: whoever only
 * wants to know (housekeeping) must not hold it even briefly, or a run starting in that moment
 * would find its project busy and a scheduled run would be skipped. Postgres lists an advisory
 * lock on a bigint key as its high and low 32 bits (`classid`, `objid`, `objsubid` 1).
 */
export async function isProjectLocked(database: Database, projectId: string): Promise<boolean> {
  const key = lockKey(projectId);
  if (database.kind === "embedded") return embeddedLocks.has(key);
  const result = await database.pool.query<{ locked: boolean }>(
    `select exists (
       select 1 from pg_locks, (select hashtextextended($1, 0) as k) key
        where locktype = 'advisory' and granted and objsubid = 1
          and database = (select oid from pg_database where datname = current_database())
          and classid::bigint = (key.k >> 32) & 4294967295 and objid::bigint = key.k & 4294967295
     ) as locked`,
    [key],
  );
  return result.rows[0]?.locked ?? false;
}

function lockKey(projectId: string): string {
  return `metastudio-sync:project:${projectId}`;
}

import { linkSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The file in an embedded data directory that names the one process using it. */
export const LOCK_FILE = "metastudio-sync.lock";

/** Another live process holds the embedded data directory; a flow-changing error (exit 1). */
export class DataDirLockedError extends Error {
  override readonly name = "DataDirLockedError";
  constructor(
    readonly dir: string,
    readonly holderPid: number,
  ) {
    super(
      `The embedded database at ${dir} is in use by process ${holderPid} ` +
        `(${join(dir, LOCK_FILE)}): PGlite allows one process per data directory, and two corrupt ` +
        "it. Wait for that process to finish, or set DATABASE_URL to use Postgres, which any " +
        "number of processes can share.",
    );
  }
}

const heldHere = new Set<string>();

/**
 * Creates `path` holding our PID, or fails with EEXIST. Written aside and hard-linked into place,
 * so nobody ever reads the lock empty and mistakes a holder that has not written yet for stale.
 */
function createWithPid(path: string): void {
  const aside = `${path}.${process.pid}`;
  writeFileSync(aside, `${process.pid}\n`);
  try {
    linkSync(aside, path);
  } finally {
    unlinkSync(aside);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else, so it is alive.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function holder(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, "utf8"), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the data directory for this process: creates the lock file exclusively with our PID, or,
 * when it exists, refuses if its PID is alive and takes it over if not (the holder crashed or was
 * killed). Two processes taking over the same stale lock at the same instant could both win; the
 * window is one unlink and one create, and only follows a crash.
 * Returns the release, which removes the file only while it still names this process; it also
 * runs at exit, so a process that ends without closing does not leave a lock behind.
 */
export function lockDataDir(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  // Two opens in one process corrupt it just the same.
  if (heldHere.has(path)) throw new DataDirLockedError(dir, process.pid);
  for (let attempt = 0; ; attempt += 1) {
    try {
      createWithPid(path);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = holder(path);
      if (pid !== undefined && pid !== process.pid && alive(pid)) {
        throw new DataDirLockedError(dir, pid);
      }
      // Our own PID in a file we do not hold: a previous life of this PID (a container's PID 1
      // restarted after a crash) left it; stale like any other.
      if (attempt >= 3) throw new Error(`Could not take the lock file ${path}.`, { cause: error });
      try {
        unlinkSync(path);
      } catch {
        // Someone else removed it first: try to create it again.
      }
    }
  }
  heldHere.add(path);
  const release = () => {
    process.off("exit", release);
    heldHere.delete(path);
    if (holder(path) !== process.pid) return;
    try {
      unlinkSync(path);
    } catch {
      // Already gone.
    }
  };
  process.on("exit", release);
  return release;
}

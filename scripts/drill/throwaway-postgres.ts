import { execFile, execFileSync } from "node:child_process";
import { chownSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { onCleanup } from "./cleanup-registry.js";
import { freePort } from "./free-port.js";
import { postgresBinaries, type PostgresBinaries } from "./postgres-binaries.js";

const run = promisify(execFile);

export interface ThrowawayPostgres {
  /** Superuser URL of the `postgres` database (with its password, if any), loopback only. */
  url: string;
  port: number;
  /** The directory of its Unix socket (`.s.PGSQL.<port>`), where local connections are trusted. */
  socketDir: string;
  /** `immediate` is a crash (no checkpoint, clients cut off); `fast` a clean shutdown. */
  stop(mode: "fast" | "immediate"): Promise<void>;
  start(): Promise<void>;
  readonly running: boolean;
  /** Stops it and removes its directory; also done at process exit. */
  destroy(): void;
}

/** Postgres refuses to run as root, so as root every server command runs as `user` (via su). */
function command(user: string | undefined, bin: string, args: string[]): [string, string[]] {
  if (user === undefined) return [bin, args];
  const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;
  return ["su", [user, "-s", "/bin/sh", "-c", [bin, ...args].map(quote).join(" ")]];
}

/** @see startThrowawayPostgres */
export interface ThrowawayPostgresOptions {
  /** @default 100 */
  maxConnections?: number;
  /**
   * The `postgres` role's password; with one, TCP connections must authenticate with it
   * (scram-sha-256) and `url` carries it. Without, every connection is trusted.
   */
  password?: string;
}

/**
 * A Postgres cluster of its own in a temp directory, on a free loopback port, so drills can stop
 * and crash it without touching anyone else's server. Durability settings are off: a drill's
 * "crash" kills processes, not the machine, so the OS still holds every write.
 */
export async function startThrowawayPostgres(
  options: ThrowawayPostgresOptions = {},
): Promise<ThrowawayPostgres> {
  const dir = mkdtempSync(join(tmpdir(), "msync-drill-pg-"));
  let found: PostgresBinaries;
  try {
    found = await postgresBinaries(dir);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const { bin, user } = found;
  const data = join(dir, "data");
  if (user) chownSync(dir, user.uid, user.gid);
  const port = await freePort();
  let running = false;
  const pgCtl = (args: string[]) => command(user?.name, join(bin, "pg_ctl"), ["-D", data, ...args]);
  const unregister = onCleanup(() => {
    // Whatever state it is in (a stop or start may be under way), make sure it is down, then
    // remove it even if pg_ctl had nothing to stop.
    try {
      const [file, args] = pgCtl(["-m", "immediate", "-w", "stop"]);
      execFileSync(file, args, { stdio: "ignore" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const auth = ["-A", "trust"];
  if (options.password !== undefined) {
    const pwfile = join(dir, "pwfile");
    writeFileSync(pwfile, `${options.password}\n`, { mode: 0o600 });
    if (user) chownSync(pwfile, user.uid, user.gid);
    auth.push("--auth-host=scram-sha-256", `--pwfile=${pwfile}`);
  }
  const [initFile, initArgs] = command(user?.name, join(bin, "initdb"), [
    "-D",
    data,
    "-U",
    "postgres",
    ...auth,
    "-E",
    "UTF8",
    "--no-sync",
  ]);
  await run(initFile, initArgs);
  const serverOptions = `-h 127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c max_connections=${options.maxConnections ?? 100}`;
  const start = async () => {
    const [file, args] = pgCtl([
      "-l",
      join(dir, "server.log"),
      "-w",
      "-t",
      "30",
      "-o",
      serverOptions,
      "start",
    ]);
    await run(file, args);
    running = true;
  };
  await start();
  return {
    url: `postgres://${options.password === undefined ? "postgres" : `postgres:${encodeURIComponent(options.password)}`}@127.0.0.1:${port}/postgres`,
    port,
    socketDir: dir,
    start,
    stop: async (mode) => {
      const [file, args] = pgCtl(["-m", mode, "-w", "-t", "30", "stop"]);
      await run(file, args);
      running = false;
    },
    get running() {
      return running;
    },
    destroy: unregister,
  };
}

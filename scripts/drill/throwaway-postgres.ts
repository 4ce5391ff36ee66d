import { execFile, execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { onCleanup } from "./cleanup-registry.js";
import { freePort } from "./free-port.js";

const run = promisify(execFile);

export interface ThrowawayPostgres {
  /** Superuser URL of the `postgres` database, trust auth, loopback only. */
  url: string;
  port: number;
  /** `immediate` is a crash (no checkpoint, clients cut off); `fast` a clean shutdown. */
  stop(mode: "fast" | "immediate"): Promise<void>;
  start(): Promise<void>;
  readonly running: boolean;
  /** Stops it and removes its directory; also done at process exit. */
  destroy(): void;
}

function postgresBin(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error(`no Postgres server binaries under ${root}/*/bin`);
  return join(root, versions[0]!, "bin");
}

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/**
 * Postgres refuses to run as root, so as root every server command runs as the `postgres` user
 * (as `.ci/run` does); as anyone else, directly.
 */
function command(bin: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [bin, args];
  return ["su", ["postgres", "-s", "/bin/sh", "-c", [bin, ...args].map(quote).join(" ")]];
}

/**
 * A Postgres cluster of its own in a temp directory, on a free loopback port, so drills can stop
 * and crash it without touching anyone else's server. Durability settings are off: a drill's
 * "crash" kills processes, not the machine, so the OS still holds every write.
 */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), "msync-drill-pg-"));
  const data = join(dir, "data");
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
  }
  const port = await freePort();
  let running = false;
  const pgCtl = (args: string[]) => command(join(bin, "pg_ctl"), ["-D", data, ...args]);
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

  const [initFile, initArgs] = command(join(bin, "initdb"), [
    "-D",
    data,
    "-U",
    "postgres",
    "-A",
    "trust",
    "-E",
    "UTF8",
    "--no-sync",
  ]);
  await run(initFile, initArgs);
  const options = `-h 127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c max_connections=100`;
  const start = async () => {
    const [file, args] = pgCtl(["-l", join(dir, "server.log"), "-w", "-t", "30", "-o", options, "start"]);
    await run(file, args);
    running = true;
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
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

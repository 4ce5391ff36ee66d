import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

import { PGlite } from "@electric-sql/pglite";

import { ConfigError } from "../config/config-error.js";
import { describeError } from "../describe-error.js";
import { LOCK_FILE } from "./data-dir-lock.js";
import { DirectNodeFS } from "./direct-node-fs.js";

/**
 * The buffer pool of an embedded cluster `sync` creates, in its postgresql.conf (initdb writes
 * it there, and the template is initdb's). PGlite's default, 128 MB, costs about its full size in RSS whatever the data:
 * Postgres zeroes the pool when it starts, and in WebAssembly that memory is never given back.
 * The embedded database serves one process, the pages it does not hold are in the operating
 * system's page cache, and a sync writes each room once. Measured with the demo at 20,000 rooms on
 * a kept cluster (`DEMO_ROOMS=20000 /usr/bin/time -v node ... scripts/demo.ts`, two runs each):
 * 16 MB peaks at 303-324 MB in 19.6-22.6 s, 128 MB at 441-455 MB in 20.5-21.7 s.
 */
export const EMBEDDED_SHARED_BUFFERS = "16MB";

/** Left in a directory the demo created, so a later demo knows it may delete it. */
export const DEMO_DIR_MARKER = "created-by-metastudio-sync-demo";

/** Where a new cluster is built before it is moved into the data directory. */
const STAGING_PREFIX = ".new-cluster-";

/**
 * What a directory may hold beside a cluster being created in it: our lock file, and the marker
 * `npm run demo` leaves in a directory of its own before its first run creates the cluster there
 * (scripts/fresh-demo-dir.ts; with it, a later demo knows it may delete the directory).
 */
const EXPECTED_ENTRIES = new Set([LOCK_FILE, DEMO_DIR_MARKER]);

/**
 * Creates a Postgres cluster in `dir`, which holds none (no PG_VERSION), with
 * EMBEDDED_SHARED_BUFFERS. The caller holds the directory's lock. A directory holding anything
 * else is refused, as initdb refuses it (see assertEmpty).
 *
 * The cluster is a copy of `template` (clusterTemplatePath(), made by `npm install`) when there is
 * one that opens, else initdb's. Both want the cluster to themselves and `dir` holds the lock file,
 * so it is built in a directory inside it (same filesystem: moving is a rename), then moved up,
 * PG_VERSION last: a cluster interrupted while it moves is never taken for a complete one.
 * Staging directories an interrupted creation left are removed first.
 */
export async function createEmbeddedCluster(
  dir: string,
  template: string | undefined,
  /** Told why a given template was not used (missing, or does not open): initdb costs more. */
  onFallback?: (reason: string) => void,
): Promise<void> {
  assertEmpty(dir);
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith(STAGING_PREFIX)) rmSync(join(dir, entry), { recursive: true, force: true });
  }
  const staging = join(dir, `${STAGING_PREFIX}${process.pid}`);
  try {
    const copied = template !== undefined && (await copyTemplate(staging, template, onFallback));
    if (!copied) await initdb(staging);
    const entries = readdirSync(staging).filter((entry) => entry !== "PG_VERSION");
    for (const entry of [...entries, "PG_VERSION"]) renameSync(join(staging, entry), join(dir, entry));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Refuses a directory that holds anything but EXPECTED_ENTRIES and the staging directories of an
 * interrupted creation: a METASTUDIO_SYNC_DATA_DIR pointed at the wrong place (a home or project
 * directory) would get a cluster's twenty-odd entries among its files, and an interrupted move
 * would be topped up into a cluster of two creations. initdb refuses the same way.
 */
function assertEmpty(dir: string): void {
  const foreign = readdirSync(dir)
    .filter((entry) => !EXPECTED_ENTRIES.has(entry) && !entry.startsWith(STAGING_PREFIX))
    .sort();
  if (foreign.length === 0) return;
  const shown =
    foreign.slice(0, 3).join(", ") + (foreign.length > 3 ? ` and ${foreign.length - 3} more` : "");
  throw new ConfigError(
    `Cannot create the embedded database in ${dir} (METASTUDIO_SYNC_DATA_DIR): the directory is ` +
      `not empty (it holds ${shown}) and holds no database (no PG_VERSION). Set ` +
      "METASTUDIO_SYNC_DATA_DIR to a new or empty directory (a new subdirectory of this one will " +
      "do), or empty this one if it is what an interrupted creation left.",
  );
}

/** PGlite starts Postgres on a cluster it creates; that start is thrown away: the smallest pool. */
const THROWAWAY_START = [...PGlite.defaultStartParams, "-c", "shared_buffers=128kB"];

/**
 * The template unpacked into `staging` by PGlite, which opens it: false, and nothing left, when
 * it does not open. Measured creating a cluster alone (VmHWM of a node process doing only that):
 * 252 MB, against 410 MB for initdb.
 */
async function copyTemplate(
  staging: string,
  template: string,
  onFallback: ((reason: string) => void) | undefined,
): Promise<boolean> {
  const instead =
    "creating the embedded database with initdb instead (slower, and about 150 MB more memory once)";
  if (!existsSync(template)) {
    onFallback?.(`No cluster template at ${template} (\`npm install\` makes it): ${instead}.`);
    return false;
  }
  mkdirSync(staging);
  try {
    // Unpacked here: PGlite's own gunzip leaks an unhandled rejection on a file that is not gzip.
    const tarball = new Blob([gunzipSync(readFileSync(template))], { type: "application/x-tar" });
    const client = await PGlite.create({
      fs: new DirectNodeFS(staging),
      loadDataDir: tarball,
      startParams: THROWAWAY_START,
    });
    await client.close();
    return true;
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    onFallback?.(
      `The cluster template at ${template} did not open (${describeError(error, 200)}): ${instead}.`,
    );
    return false;
  }
}

/** A new cluster by PGlite's initdb, written straight into `staging` (DirectNodeFS). */
async function initdb(staging: string): Promise<void> {
  mkdirSync(staging);
  const client = await PGlite.create({
    fs: new DirectNodeFS(staging),
    initDbStartParams: ["-c", `shared_buffers=${EMBEDDED_SHARED_BUFFERS}`],
    // Started before initdb's instance is collected: 17 MB less at the peak, measured.
    startParams: THROWAWAY_START,
  });
  await client.close();
  await collectGarbage();
}

/**
 * initdb's throwaway instance leaves about 300 MB (its WebAssembly memory and a copy of it) that
 * V8 collects when it sees fit, sometimes only after the sync that follows has added its own
 * (demo first run, measured: 463-534 MB peak RSS without, 463-464 MB with). With `--expose-gc`
 * (the CLI and the demo pass it) it is collected here, once PGlite's last callbacks have run.
 */
async function collectGarbage(): Promise<void> {
  const { gc } = globalThis as { gc?: () => void };
  if (gc === undefined) return;
  await new Promise((resolve) => setImmediate(resolve));
  gc();
}

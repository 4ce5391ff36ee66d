import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

import { DEMO_DIR_MARKER as MARKER } from "../src/db/create-embedded-cluster.js";

/**
 * Makes `dir` an empty directory for the demo's embedded database. It deletes a directory only
 * when the marker says an earlier demo created it: whatever else is there (a user's mirror, a
 * file) is refused with a message, never removed.
 */
export function freshDemoDir(dir: string): void {
  const path = resolve(dir);
  if (existsSync(path)) {
    const empty = readdirSync(path).length === 0;
    if (!empty && !existsSync(join(path, MARKER))) {
      throw new Error(
        `${path} exists and was not created by the demo, so it is left alone. ` +
          "Set DEMO_DATA_DIR to a new directory, or DATABASE_URL to use Postgres.",
      );
    }
    if (!empty) rmSync(path, { recursive: true, force: true });
  }
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, MARKER), "This directory was created by `npm run demo`, which may delete it.\n");
}

/**
 * The demo's directory, ready to open: a cluster an earlier demo created is kept ("reused"; the
 * demo empties its tables), anything else goes through freshDemoDir ("created"). Creating a
 * cluster is what costs the embedded database most memory (a demo's peak: about 300 MB copying
 * the template, 469 MB by initdb, against about 235 MB with one that exists), so it is paid once.
 */
export function demoDataDir(dir: string): "created" | "reused" {
  const path = resolve(dir);
  if (existsSync(join(path, MARKER)) && existsSync(join(path, "PG_VERSION"))) return "reused";
  freshDemoDir(dir);
  return "created";
}

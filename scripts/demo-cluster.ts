import { resolve } from "node:path";

import { lockDataDir } from "../src/db/data-dir-lock.js";

/**
 * Creates the demo's database cluster in `dir` (empty but for the demo's marker) before the sync
 * runtime opens it, with `shared_buffers` at 16 MB instead of 128 MB: in PGlite the buffer pool
 * costs about its full size in RSS whatever the data (measured: 125 MB less), while the demo's
 * few thousand rooms need far less. initdb writes the setting into the cluster's postgresql.conf,
 * so every later open of it is as small. Measured (`/usr/bin/time -v npm run demo`): 785 MB ->
 * 680 MB on a first run, 359 MB -> 235 MB on later ones.
 */
export async function createDemoCluster(dir: string): Promise<void> {
  const release = lockDataDir(resolve(dir));
  try {
    const { PGlite } = await import("@electric-sql/pglite");
    const client = await PGlite.create(resolve(dir), { initDbStartParams: ["-c", "shared_buffers=16MB"] });
    await client.close();
  } finally {
    release();
  }
}

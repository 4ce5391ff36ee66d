import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

import { PGlite } from "@electric-sql/pglite";

import { clusterTemplatePath } from "./cluster-template-path.js";
import { createEmbeddedCluster } from "./create-embedded-cluster.js";

/**
 * Writes the template createEmbeddedCluster copies: a new cluster from initdb, gzipped (4.5 MB).
 * Run by `npm install` (prepare), so that neither the demo's first run nor a first `sync` pays
 * for initdb, the embedded database's largest peak. Written aside and renamed into place.
 */
export async function writeClusterTemplate(path = clusterTemplatePath()): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "msync-template-"));
  try {
    await createEmbeddedCluster(dir, undefined);
    const client = await PGlite.create(dir);
    const tarball = await client.dumpDataDir("gzip");
    await client.close();
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.${process.pid}`, Buffer.from(await tarball.arrayBuffer()));
    renameSync(`${path}.${process.pid}`, path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

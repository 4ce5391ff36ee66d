import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { PGlite } from "@electric-sql/pglite";

import { createEmbeddedCluster } from "./create-embedded-cluster.js";

/**
 * Where `npm install` (prepare) leaves a new, empty embedded cluster, gzipped, for
 * createEmbeddedCluster to copy instead of running PGlite's initdb. Named after the PGlite
 * version that made it: a cluster is only sure to open with the Postgres that created it, so
 * after an upgrade the old file is ignored until prepare makes a new one.
 */
export function clusterTemplatePath(): string {
  const require = createRequire(import.meta.url);
  // The package's exports do not include its package.json; its entry point is in dist/.
  const entry = require.resolve("@electric-sql/pglite");
  const { version } = JSON.parse(readFileSync(join(dirname(entry), "..", "package.json"), "utf8")) as {
    version: string;
  };
  // The package root, from src/db (tsx, tests), dist/db and dist/bin (the bundled CLI) alike.
  const root = fileURLToPath(new URL("../..", import.meta.url));
  return join(root, "cluster-template", `pglite-${version}.tar.gz`);
}

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

import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

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
  // The package root, from src/db (tsx, tests) and dist/db (the built CLI) alike.
  const root = fileURLToPath(new URL("../..", import.meta.url));
  return join(root, "cluster-template", `pglite-${version}.tar.gz`);
}

/**
 * Bundles the CLI (`src/cli/main.ts`) into `dist/bin/`, what the `metastudio-sync` command and
 * the Docker image run. `npm run build` runs it after tsc, whose `dist/` stays the library's.
 *
 * Why: Node's module loader resolves, reads and compiles each file a sync loads one by one: 318
 * through the ESM loader, and the CommonJS files those require (undici's index alone is 110).
 * That was about a quarter of a second of every run's start-up on this project's 2-core machine,
 * more than the run of a small project itself (README, Performance); the bundle loads 25. Split at
 * the CLI's lazy imports, so `sync` still loads no queue, HTTP or embedded database code.
 */
import { rm, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

import { build, type Plugin } from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * Left to Node to load from node_modules: packages that read files of their own package at run
 * time (PGlite's WebAssembly and data, bull-board's UI), the queue's (BullMQ and ioredis: only the
 * worker and the queue commands load them, and ioredis resolves paths of its own for its stack
 * traces), the optional native pg driver, and those the code itself loads through `createRequire`
 * only when asked for (pino-pretty on a terminal, yaml for an accounts file).
 */
const EXTERNAL = [
  "@electric-sql/*",
  "@bull-board/*",
  "bullmq",
  "ioredis",
  "pg-native",
  "pino-pretty",
  "yaml",
];

/**
 * node-postgres asks at load whether it runs in a Cloudflare Worker; with no `navigator` (Node 20
 * has none, 21 and later do) it builds a fetch `Response` to find out, which loads Node's own
 * bundled fetch: 25 to 50 ms of every start-up here for a question whose answer, in a bundle
 * built for `platform: "node"`, is no. Fails the build if the check changes, rather than quietly
 * paying again.
 */
const pgIsNode: Plugin = {
  name: "pg-is-node",
  setup(bundle) {
    bundle.onLoad({ filter: /[\\/]node_modules[\\/]pg[\\/]lib[\\/]stream\.js$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      const probe = "if (isCloudflareRuntime()) {";
      if (!source.includes(probe)) {
        throw new Error(`${args.path} no longer has \`${probe}\`: review the pg-is-node plugin`);
      }
      return { contents: source.replace(probe, "if (false) {"), loader: "js" };
    });
  },
};

/** Writes the bundle to `<outRoot>/dist/bin/`: two levels below the package root, like `src/cli`. */
export async function bundleCli(outRoot = ROOT): Promise<void> {
  const outdir = `${outRoot}/dist/bin`;
  // Chunk names carry a hash of their content: without this, every build would leave the last one's.
  await rm(outdir, { recursive: true, force: true });
  await build({
    absWorkingDir: ROOT,
    entryPoints: { "metastudio-sync": "src/cli/main.ts" },
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external: EXTERNAL,
    plugins: [pgIsNode],
    // The CommonJS packages inside (pg, undici, pino) call require(); ESM has none of its own.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    sourcemap: "linked",
    logLevel: "warning",
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleCli();

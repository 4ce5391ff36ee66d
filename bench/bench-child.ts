/**
 * Runs one of the bench's measurement scripts in a process of its own, as the CLI runs, so its
 * CPU and memory are its own and not the simulator's (which lives in the bench process). The
 * script prints one JSON line; its peak RSS is read from /proc while it runs.
 */
import { basename } from "node:path";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";

import { runNode } from "./run-cli.js";

/** Under node_modules, so the bundle's packages resolve from the project's node_modules. */
const OUT_DIR = fileURLToPath(new URL("../node_modules/.cache/metastudio-sync-bench/", import.meta.url));

/**
 * `file` bundled to plain JavaScript first (packages left external), then run as
 * `node <nodeFlags> bundle.mjs` with `env`, like the compiled CLI: under tsx's loader the process
 * would carry some 35 MB more and pay for compiling as it runs. Resolves with its JSON and peak RSS.
 */
export async function runBenchChild<T>(
  file: string,
  env: NodeJS.ProcessEnv,
  nodeFlags: string[],
): Promise<T & { peakRssMb: number }> {
  const outfile = `${OUT_DIR}${basename(file, ".ts")}.mjs`;
  await build({
    entryPoints: [file],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    logLevel: "warning",
  });
  const run = await runNode([...nodeFlags, "--expose-gc", outfile], env, file);
  return { ...(JSON.parse(run.stdout) as T), peakRssMb: run.peakRssMb };
}

/**
 * True when node was started with the script `name` (`fetch-only` for bench/fetch-only.ts or its
 * bundle). Not `import.meta.url`: in a bundle every module shares the bundle's URL.
 */
export function isMain(name: string): boolean {
  return basename(process.argv[1] ?? "").replace(/\.(ts|mjs)$/, "") === name;
}

/** CPU seconds (user + system) of this process since `before`. */
export function cpuSecondsSince(before: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { watchProcess } from "./proc-stat.js";

export { vmHwmKb } from "./proc-stat.js";

/** The compiled CLI, exactly what users run (`npm run build` first). */
export const CLI = fileURLToPath(new URL("../dist/bin/metastudio-sync.js", import.meta.url));

/**
 * The Node flags of the CLI's shebang (`#!/usr/bin/env -S node <flags>`): what the installed
 * `metastudio-sync` command runs with, so the bench runs the CLI with them too.
 */
export function binNodeFlags(): string[] {
  const first = readFileSync(CLI, "utf8").split("\n", 1)[0] ?? "";
  const match = /^#!\S*env\s+(?:-S\s+)?node((?:\s+-\S+)*)\s*$/.exec(first);
  return match?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];
}

/** The token the bench's simulators accept and its CLI runs send. */
export const BENCH_TOKEN = "bench-token";

/**
 * The CLI's environment in the bench: the defaults but the rate limit (the simulator has no
 * throttle to respect) and logs at `warn`, so the bench's output is its tables. The default
 * `info` (a line per request) measured within this machine's noise of it: five interleaved pairs
 * of 100k-room full syncs, CPU ratio 1.07 in median, 0.77 to 1.15.
 */
export function benchCliEnv(endpoint: string, projectId: string, databaseUrl: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    METASTUDIO_ENDPOINT: endpoint,
    METASTUDIO_PROJECT_IDS: projectId,
    METASTUDIO_AUTH_TOKEN: BENCH_TOKEN,
    METASTUDIO_RATE_LIMIT: "10000",
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: "warn",
  };
}

export interface CliRun {
  stdout: string;
  /** The process's peak resident set (VmHWM), polled while it runs. */
  peakRssMb: number;
  /** The process's CPU (user + system), start-up included. */
  cpuSeconds: number;
  /** Start-up included. */
  wallMs: number;
}

/**
 * Runs `node <shebang flags> dist/bin/metastudio-sync.js ...args` and resolves with its output once it
 * exits 0.
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return runNode([...binNodeFlags(), CLI, ...args], env, `metastudio-sync ${args.join(" ")}`);
}

/**
 * Runs `node ...args` with `env` and resolves with its output once it exits 0 (else rejects,
 * naming it `label`). Peak RSS and CPU are read from /proc while it runs: both only grow, so the
 * last reading is the total give or take the final 50 ms.
 */
export function runNode(args: string[], env: NodeJS.ProcessEnv, label: string): Promise<CliRun> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "inherit"] });
  const watch = watchProcess(child.pid);
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => {
      const { peakRssMb, cpuSeconds } = watch.stop();
      if (code !== 0) reject(new Error(`${label} exited ${code}`));
      else resolve({ stdout, peakRssMb, cpuSeconds, wallMs: performance.now() - started });
    });
  });
}

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
 * exits 0. Peak RSS and CPU are read from /proc while it runs: both only grow, so the last
 * reading is the total give or take the final 50 ms.
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const started = performance.now();
  const child = spawn(process.execPath, [...binNodeFlags(), CLI, ...args], {
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const watch = watchProcess(child.pid);
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => {
      const { peakRssMb, cpuSeconds } = watch.stop();
      if (code !== 0) reject(new Error(`metastudio-sync ${args.join(" ")} exited ${code}`));
      else resolve({ stdout, peakRssMb, cpuSeconds, wallMs: performance.now() - started });
    });
  });
}

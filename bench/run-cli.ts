import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The compiled CLI, exactly what users run (`npm run build` first). */
export const CLI = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));

export interface CliRun {
  stdout: string;
  /** The process's peak resident set (VmHWM), polled while it runs. */
  peakRssMb: number;
  wallMs: number;
}

/**
 * Runs `node dist/cli/main.js ...args` and resolves with its output once it exits 0. Peak RSS is
 * read from /proc while it runs: VmHWM only grows, so the last reading is the peak give or take
 * the final 50 ms.
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  let peakKb = 0;
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  const poll = setInterval(() => (peakKb = Math.max(peakKb, vmHwmKb(child.pid))), 50);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => {
      clearInterval(poll);
      if (code !== 0) reject(new Error(`metastudio-sync ${args.join(" ")} exited ${code}`));
      else resolve({ stdout, peakRssMb: Math.round(peakKb / 1024), wallMs: performance.now() - started });
    });
  });
}

/** Peak resident set of a live process in kB; 0 once it is gone. */
export function vmHwmKb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

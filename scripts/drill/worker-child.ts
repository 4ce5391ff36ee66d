import { fork } from "node:child_process";
import { openSync } from "node:fs";

import { onCleanup } from "./cleanup-registry.js";

export interface WorkerChild {
  pid: number;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Null while it runs. */
  exitCode(): number | null;
  kill(signal: NodeJS.Signals): void;
}

/**
 * Starts scripts/drill/worker-process.ts in a process of its own (so it can be SIGKILLed) and
 * resolves once its worker is ready. Its output goes to `logFile`; it is killed at exit if the
 * drill has not already.
 */
export function startWorkerChild(env: Record<string, string>, logFile: string): Promise<WorkerChild> {
  const out = openSync(logFile, "a");
  const child = fork(new URL("./worker-process.ts", import.meta.url), [], {
    execArgv: ["--import", "tsx"],
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", out, out, "ipc"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const unregister = onCleanup(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  void exited.then(unregister);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the worker did not start within 30 s (see ${logFile})`));
    }, 30_000);
    child.once("message", () => {
      clearTimeout(timer);
      resolve({
        pid: child.pid!,
        exited,
        exitCode: () => child.exitCode ?? (child.signalCode === null ? null : -1),
        kill: (signal) => child.kill(signal),
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the worker exited with ${code} before it was ready (see ${logFile})`));
    });
  });
}

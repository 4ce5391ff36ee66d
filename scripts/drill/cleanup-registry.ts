/**
 * Synchronous cleanups (stop a throwaway server, remove its directory) that run however the
 * drill process ends: normally, on an uncaught error, or on Ctrl-C. Synchronous because the
 * `exit` event allows nothing else, and a drill that leaves a Postgres running on the shared
 * machine is worse than one that fails.
 */
const cleanups: Array<() => void> = [];
let installed = false;

function runAll(): void {
  while (cleanups.length > 0) {
    const cleanup = cleanups.pop()!;
    try {
      cleanup();
    } catch {
      // Keep going: the next cleanup may still succeed.
    }
  }
}

/** Registers `cleanup`; the returned function runs it now (once) and unregisters it. */
export function onCleanup(cleanup: () => void): () => void {
  if (!installed) {
    installed = true;
    process.on("exit", runAll);
    // `on`, not `once`: a second Ctrl-C must not take the default action halfway through.
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      process.on(signal, () => {
        runAll();
        process.exit(130);
      });
    }
  }
  cleanups.push(cleanup);
  return () => {
    const index = cleanups.indexOf(cleanup);
    if (index >= 0) {
      cleanups.splice(index, 1);
      cleanup();
    }
  };
}

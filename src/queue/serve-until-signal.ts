import type { Logger } from "../logger.js";
import type { RunningWorker } from "./start-worker.js";

/**
 * Runs the worker until SIGTERM or SIGINT, then shuts it down gracefully: no new jobs, running
 * syncs finish within the grace period or are aborted to checkpoint and go back to the queue.
 * A second signal means "now": running syncs are aborted at once. Resolves once everything is
 * closed; rejects if closing failed.
 */
export function serveUntilSignal(running: RunningWorker, logger: Logger): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals += 1;
      logger.info({ signal }, signals === 1 ? "shutting down" : "shutting down now");
      running.close(signals > 1).then(
        () => {
          process.off("SIGTERM", onSignal);
          process.off("SIGINT", onSignal);
          resolve();
        },
        (error: unknown) => reject(new Error("The worker did not shut down cleanly.", { cause: error })),
      );
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}

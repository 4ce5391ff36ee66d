import type { Logger } from "../logger.js";
import type { RunningWorker } from "./start-worker.js";

/** @see serveUntilSignal */
export interface ServeOptions {
  /**
   * Ends the process when it is still alive `EXIT_AFTER_MS` after the worker closed: what the
   * worker could not close (BullMQ's timers, when its close waits on a Redis that refuses it)
   * would hold it forever. Tests that serve in their own process pass a spy.
   * @default process.exit, with process.exitCode
   */
  exit?: () => void;
}

/**
 * How long the process may outlive the worker's close. A clean shutdown has nothing left by
 * then and exits on its own before it: the timer does not keep the process alive.
 */
export const EXIT_AFTER_MS = 1000;

/**
 * Runs the worker until SIGTERM or SIGINT, then shuts it down gracefully: no new jobs, running
 * syncs finish within the grace period or are aborted to checkpoint and go back to the queue.
 * A second signal means "now": running syncs are aborted and the connections dropped at once.
 * Either way the close is bounded (RunningWorker.close); once it is done, the process exits.
 * Resolves once everything is closed; rejects if closing failed.
 */
export function serveUntilSignal(
  running: RunningWorker,
  logger: Logger,
  options: ServeOptions = {},
): Promise<void> {
  const exit = options.exit ?? (() => process.exit());
  return new Promise<void>((resolve, reject) => {
    let signals = 0;
    let exitScheduled = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals += 1;
      logger.info({ signal }, signals === 1 ? "shutting down" : "shutting down now");
      running
        .close(signals > 1)
        .then(
          () => {
            process.off("SIGTERM", onSignal);
            process.off("SIGINT", onSignal);
            resolve();
          },
          (error: unknown) => reject(new Error("The worker did not shut down cleanly.", { cause: error })),
        )
        .finally(() => {
          if (exitScheduled) return;
          exitScheduled = true;
          setTimeout(exit, EXIT_AFTER_MS).unref();
        });
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}

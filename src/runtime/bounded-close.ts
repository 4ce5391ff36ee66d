import type { Worker } from "bullmq";
import type { Redis } from "ioredis";

import type { ErrorLogThrottle } from "../log-throttle.js";
import type { Logger } from "../logger.js";
import type { ShutdownSteps } from "./shutdown-steps.js";

/**
 * After the connections are dropped, how long the steps still closing get to notice (a command
 * waiting on Redis fails at once then) before they are abandoned.
 */
export const DROP_WAIT_MS = 2000;

export interface BoundedCloseOptions {
  /** The BullMQ worker; `steps` closes it as its step "worker", first. */
  worker: Pick<Worker, "close" | "cancelAllJobs">;
  /** Everything the worker opened, "worker" among them. */
  steps: ShutdownSteps;
  /** Dropped when the close takes too long: what the steps still closing wait on. */
  connections: readonly Redis[];
  errors: ErrorLogThrottle;
  logger: Logger;
  /** @see StartWorkerOptions.shutdownTimeoutMs */
  shutdownTimeoutMs: number;
  /** @see StartWorkerOptions.closeTimeoutMs */
  closeTimeoutMs: number;
}

/**
 * The worker's close (RunningWorker.close): stops taking jobs, lets running ones finish, aborting
 * them after `shutdownTimeoutMs` (they checkpoint and go back to the queue), then closes the
 * steps. Once `shutdownTimeoutMs + closeTimeoutMs` have passed, or at once when called with
 * `now`, it drops the Redis connections and gives what is still closing DROP_WAIT_MS more, then
 * abandons it (and logs its name). Idempotent: every call returns the same close.
 */
export function boundedClose(options: BoundedCloseOptions): (now?: boolean) => Promise<void> {
  const { worker, logger } = options;
  let hurry!: (reason: string) => void;
  const hurried = new Promise<string>((resolve) => (hurry = resolve));
  let closing: Promise<void> | undefined;
  return (now = false) => {
    if (now && closing === undefined) {
      // Before the shutdown starts it: BullMQ's forced close does not wait for running jobs.
      worker.close(true).catch((error: unknown) => logger.warn({ err: error }, "worker close failed"));
    }
    closing ??= shutDown(options, hurried, hurry);
    if (now) hurry("asked to stop now");
    return closing;
  };
}

/** Closes in order until `hurried` says why it must stop waiting, then drops and abandons. */
async function shutDown(
  options: BoundedCloseOptions,
  hurried: Promise<string>,
  hurry: (reason: string) => void,
): Promise<void> {
  const { worker, steps, errors, logger, shutdownTimeoutMs, closeTimeoutMs } = options;
  logger.info({ grace_ms: shutdownTimeoutMs }, "worker stopping: finishing running jobs");
  const abort = setTimeout(() => {
    logger.warn("running jobs did not finish in time; aborting them (they resume elsewhere)");
    worker.cancelAllJobs("shutdown");
  }, shutdownTimeoutMs);
  const deadline = setTimeout(
    () => hurry(`not closed within ${shutdownTimeoutMs + closeTimeoutMs} ms`),
    shutdownTimeoutMs + closeTimeoutMs,
  );
  try {
    const closed = (async () => {
      // The worker first, while the admin server still answers health checks and metrics.
      await steps.closeFirst("worker");
      await steps.closeAll();
    })();
    const reason = await Promise.race([closed.then(() => undefined), hurried]);
    if (reason === undefined) {
      errors.flush();
      logger.info("worker stopped");
      return;
    }
    // BullMQ's close cannot be hurried once begun (close(true) returns the same promise), and
    // it waits on Redis for jobs and for its connections: dropping them fails what waits.
    clearTimeout(abort);
    worker.cancelAllJobs("shutdown");
    for (const connection of options.connections) connection.disconnect();
    const abandoned = await steps.abandon(DROP_WAIT_MS);
    errors.flush();
    logger.warn(
      { reason, abandoned },
      abandoned.length === 0
        ? "worker stopped after dropping its Redis connections"
        : `worker stopped without closing: ${abandoned.join(", ")}`,
    );
  } finally {
    clearTimeout(abort);
    clearTimeout(deadline);
  }
}

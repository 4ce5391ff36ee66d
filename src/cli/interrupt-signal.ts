import { EXIT_SIGNAL } from "./exit-codes.js";

export interface Interrupt {
  /** Aborted by the first SIGINT or SIGTERM, with the signal's name as its reason. */
  signal: AbortSignal;
  /** The exit code for the signal that arrived, or undefined while none did. */
  exitCode(): number | undefined;
  dispose(): void;
}

/**
 * Ctrl-C (or a SIGTERM) during a command that writes: the first stops the work through `signal`
 * so what was committed is recorded ("interrupted by SIGINT", with its counts) and the process
 * ends on its own; a second one, for someone who will not wait, exits at once. The run left
 * 'running' then is closed as interrupted by the project's next run, or by a worker's
 * housekeeping (closeAbandonedRuns), whichever comes first.
 */
export function interruptOnSignals(stream: NodeJS.WritableStream = process.stderr): Interrupt {
  const controller = new AbortController();
  let received: keyof typeof EXIT_SIGNAL | undefined;
  const handler = (name: NodeJS.Signals): void => {
    const signal = name === "SIGTERM" ? "SIGTERM" : "SIGINT";
    if (received !== undefined) process.exit(EXIT_SIGNAL[signal]);
    received = signal;
    stream.write(`\n${signal}: stopping and recording the run as interrupted (again to quit at once).\n`);
    controller.abort(signal);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    signal: controller.signal,
    exitCode: () => (received === undefined ? undefined : EXIT_SIGNAL[received]),
    dispose: () => {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    },
  };
}

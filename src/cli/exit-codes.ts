import { CommanderError } from "commander";

import { ConfigError } from "../config/config-error.js";

export const EXIT_OK = 0;
/** The work failed: the upstream refused, the database failed, a run did not complete. */
export const EXIT_FAILED = 1;
/** Bad usage or configuration; the message names the flag or variable. */
export const EXIT_USAGE = 2;

/** Raised by a command that already printed why it failed and only needs the exit code set. */
export class ExitError extends Error {
  override readonly name = "ExitError";
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

/**
 * Prints what went wrong as a sentence, without a stack: users act on the message (which names
 * the variable, flag, upstream error code or request ID), not on our call frames. `--verbose`
 * or LOG_LEVEL=debug brings the stack and causes back for bug reports.
 */
export function reportError(error: unknown, verbose: boolean): number {
  if (error instanceof ExitError) return error.exitCode;
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  const usage = error instanceof ConfigError;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`metastudio-sync: ${message}\n`);
  let cause = error instanceof Error ? error.cause : undefined;
  while (cause instanceof Error && !verbose) {
    process.stderr.write(`  caused by: ${cause.message}\n`);
    cause = cause.cause;
  }
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return usage ? EXIT_USAGE : EXIT_FAILED;
}

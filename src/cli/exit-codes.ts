import { inspect } from "node:util";

import { CommanderError } from "commander";

import { ConfigError } from "../config/config-error.js";
import { withoutCommandArgs } from "../without-command-args.js";
import { databaseHint } from "./database-hint.js";

export const EXIT_OK = 0;
/** The work failed: the upstream refused, the database failed, a run did not complete. */
export const EXIT_FAILED = 1;
/** Bad usage or configuration; the message names the flag or variable. */
export const EXIT_USAGE = 2;
/** Stopped by a signal: 128 + its number, as a shell reports it. */
export const EXIT_SIGNAL: Record<"SIGINT" | "SIGTERM", number> = { SIGINT: 130, SIGTERM: 143 };

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
  process.stderr.write(`metastudio-sync: ${escapeControl(message, true)}\n`);
  const hint = databaseHint(error);
  if (hint !== undefined) process.stderr.write(`  ${hint}\n`);
  if (verbose) {
    // inspect, not .stack: it carries the whole cause chain, each with its stack. It also shows
    // every property, and a Redis error's `command` holds AUTH's password: args go first.
    const shown = inspect(withoutCommandArgs(error), { depth: 8 });
    process.stderr.write(`${escapeControl(shown, true)}\n`);
  } else {
    let cause = error instanceof Error ? error.cause : undefined;
    for (let depth = 0; cause instanceof Error && depth < 8; depth += 1) {
      process.stderr.write(`  caused by: ${escapeControl(cause.message)}\n`);
      cause = cause.cause;
    }
  }
  return usage ? EXIT_USAGE : EXIT_FAILED;
}

/**
 * Messages carry upstream text (error messages, room names): its control characters and ANSI
 * escapes are shown as `\xNN` rather than sent to the terminal, where they could rewrite or hide
 * what is printed. Newlines and tabs stay when `keepLines` (a stack's own layout).
 */
export function escapeControl(text: string, keepLines = false): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (char) =>
    keepLines && (char === "\n" || char === "\t")
      ? char
      : `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}

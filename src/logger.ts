import { createRequire } from "node:module";

import { pino, type Logger, type DestinationStream, type LoggerOptions } from "pino";

import type { LogFormat } from "./log-format.js";
import { withoutCommandArgs } from "./without-command-args.js";

export type { Logger };

/**
 * Paths pino censors wherever they appear in a log object. A second line of defence: the code
 * never logs credentials on purpose, but an error's `cause` or a header bag can carry them.
 */
export const REDACT_PATHS = [
  "authorization",
  "Authorization",
  "*.authorization",
  "*.Authorization",
  "headers.authorization",
  "headers['x-auth-token']",
  "headers['X-Auth-Token']",
  "*.headers.authorization",
  "*.headers['x-auth-token']",
  "*.headers['X-Auth-Token']",
  "password",
  "*.password",
  "secretKey",
  "*.secretKey",
  "token",
  "*.token",
  "sk",
  "*.sk",
];

export interface LoggerFormatOptions {
  /** @default "json" */
  format?: LogFormat;
  /**
   * Drops error records that carry an `err`: a command that prints every failure itself as one
   * sentence (the CLI on a terminal) would otherwise show it twice, once as a log record with a stack.
   * @default false
   */
  omitReportedErrors?: boolean;
}

const PINO_ERROR = 50;

/** The one logger of a process; `destination` lets tests capture every byte written. */
export function createLogger(
  level: string,
  destination?: DestinationStream,
  options: LoggerFormatOptions = {},
): Logger {
  const settings: LoggerOptions = {
    level,
    base: { service: "metastudio-sync" },
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
    // ioredis errors carry the command that failed with its args: AUTH's are REDIS_URL's
    // password. `err` is where errors go (and where pino puts one logged on its own); `log` sees
    // every record before the serializers do, for an error under any other key or nested deeper.
    serializers: { err: serializeError },
    formatters: { log: (object) => withoutCommandArgs(object) },
  };
  if (options.omitReportedErrors) {
    settings.hooks = {
      logMethod(args, method, levelValue) {
        const first = args[0] as { err?: unknown } | undefined;
        if (levelValue >= PINO_ERROR && typeof first === "object" && first?.err !== undefined) return;
        method.apply(this, args);
      },
    };
  }
  const stream = destination ?? (options.format === "pretty" ? prettyStream() : undefined);
  // Node's own stderr, not pino.destination: sonic-boom (4.2.1 under pino 10) writes what it still
  // holds at exit in a loop that retries any error but EAGAIN forever, asleep in Atomics.wait
  // between tries: once stderr's reader had gone, a process exiting with a record unwritten never
  // ended, deaf even to signals. process.stderr writes at once, queues only behind a full pipe (the
  // event loop goes on) and waits for nothing at exit; a reader gone is an 'error' (EPIPE) on it,
  // which the CLI turns into a quiet exit (src/cli/main.ts).
  return pino(settings, stream ?? process.stderr);
}

/** pino's own error serializer (message and stack with causes), minus every command's args. */
export function serializeError(error: unknown): unknown {
  return pino.stdSerializers.err(withoutCommandArgs(error) as Error);
}

/**
 * pino-pretty's formatter, loaded only when asked for: the JSON path (the worker, every pipe)
 * never pays for it. Used as a plain synchronous destination rather than its transport stream:
 * nothing is left in a pipeline at exit, and on a terminal each record first clears the line a
 * progress display may be drawing there (it redraws itself on its next update).
 */
function prettyStream(): DestinationStream {
  const require = createRequire(import.meta.url);
  const { prettyFactory } = require("pino-pretty") as {
    prettyFactory: (options: Record<string, unknown>) => (line: string) => string;
  };
  const terminal = process.stderr.isTTY === true;
  const prettify = prettyFactory({
    colorize: terminal,
    translateTime: "SYS:HH:MM:ss",
    ignore: "service,pid,hostname",
    singleLine: true,
  });
  return {
    write: (line: string) => void process.stderr.write(`${terminal ? "\r\x1b[K" : ""}${prettify(line)}`),
  };
}

import { pino, type Logger, type DestinationStream } from "pino";

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

/** The one logger of a process; `destination` lets tests capture every byte written. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "metastudio-sync" },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? pino.destination({ fd: 2, sync: false }),
  );
}

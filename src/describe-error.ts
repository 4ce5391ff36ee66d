/**
 * Errors as text that is safe and useful to store and show: bounded, without a query's
 * parameters (Drizzle's "Failed query: ... params: ..." carries the whole batch, 400 MB once),
 * with the database's own reason, SQLSTATE and constraint instead.
 */

/** Longest error text stored in `sync_runs.error` or a job's `failedReason`. */
export const MAX_ERROR_CHARS = 2000;

/** Longest upstream token (`error_code`, `X-Request-Id`) kept; real ones are under 64. */
export const MAX_TOKEN_CHARS = 128;

/** `text` cut to `max` characters, saying how much was cut; never splits a surrogate pair. */
export function clipText(text: string, max: number = MAX_ERROR_CHARS): string {
  if (text.length <= max) return text;
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}… (${text.length - end} more characters)`;
}

/**
 * An identifier from the upstream (error code, request ID) as stored: control characters
 * escaped so it cannot forge log lines or drive a terminal, clipped to `max`.
 */
export function clipToken(value: string | undefined, max: number = MAX_TOKEN_CHARS): string | undefined {
  if (value === undefined) return undefined;
  const printable = value.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
  return printable.length <= max ? printable : `${printable.slice(0, max)}…`;
}

interface DatabaseErrorLike {
  message: string;
  code?: unknown;
  constraint?: unknown;
  table?: unknown;
  column?: unknown;
}

const QUERY_TEXT = /Failed query:[\s\S]*/;

/** The Postgres error (pg's DatabaseError: a SQLSTATE `code` of five characters) in a cause chain. */
function findDatabaseError(error: unknown): DatabaseErrorLike | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 10; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && "severity" in current) {
      return current;
    }
    current = current.cause;
  }
  return undefined;
}

/**
 * One line for any thrown value, at most `max` characters: the error's own message, with a
 * failed query replaced by what Postgres said about it (message, SQLSTATE, constraint, table).
 */
export function describeError(error: unknown, max: number = MAX_ERROR_CHARS): string {
  const message = error instanceof Error ? error.message : String(error);
  const database = findDatabaseError(error);
  if (database === undefined) {
    // No Postgres reason (the connection broke, or never opened): the cause says why, and
    // without it "a database query failed" would leave the user nothing to act on.
    const cause = error instanceof Error ? error.cause : undefined;
    const why = QUERY_TEXT.test(message) && cause instanceof Error ? `: ${describeError(cause, max)}` : "";
    return clipText(message.replace(QUERY_TEXT, `a database query failed${why}`), max);
  }
  const facts = [
    `SQLSTATE ${String(database.code)}`,
    typeof database.constraint === "string" ? `constraint ${database.constraint}` : undefined,
    typeof database.table === "string" ? `table ${database.table}` : undefined,
    typeof database.column === "string" ? `column ${database.column}` : undefined,
  ].filter((fact) => fact !== undefined);
  const reason = `the database refused: ${database.message} (${facts.join(", ")})`;
  // The outer message may add context ("writing batch 3: ..."); keep it, minus any query text.
  const outer = message.startsWith("Failed query:") || message === database.message ? "" : message;
  const context = outer.replace(QUERY_TEXT, "").trim();
  return clipText(context ? `${context}: ${reason}` : reason, max);
}

/** An Error carrying only the described message, for stores that keep `message` and `stack`. */
export function clippedError(error: unknown, max: number = MAX_ERROR_CHARS): Error {
  const clipped = new Error(describeError(error, max));
  clipped.stack = `Error: ${clipped.message}`;
  return clipped;
}

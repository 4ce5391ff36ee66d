import { ConfigError } from "../config/config-error.js";
import { databaseTarget, type DatabaseTarget } from "../config/database-url.js";
import { readEnv, type Env } from "../config/read-env.js";
import { redactUrl } from "../config/redact-url.js";

/** Socket errors of a connection that never got through. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/** What node-postgres says when it cannot connect (refused credentials are PostgresClient's). */
const CONNECT_MESSAGES = /Connection terminated|timeout exceeded when trying to connect/i;

type Kind = "unreachable" | "not-ready";

/**
 * One line naming DATABASE_URL (password redacted) when `error` is a failure to connect to the
 * Postgres it points at, else undefined: "unreachable Postgres" alone does not say which setting
 * to fix. Another host's socket error (Redis, the upstream) is not blamed on the database.
 */
export function databaseHint(error: unknown, env: Env = process.env): string | undefined {
  // Already a sentence about DATABASE_URL (see PostgresClient): a second one would only repeat it.
  if (error instanceof ConfigError) return undefined;
  let value: string | undefined;
  try {
    value = readEnv(env, "DATABASE_URL");
  } catch {
    return undefined;
  }
  if (value === undefined) return undefined;
  const kind = connectFailure(error, value);
  if (kind === undefined) return undefined;
  const url = `DATABASE_URL (${redactUrl(value)})`;
  if (kind === "not-ready")
    return `The Postgres at ${url} is starting up or shutting down: try again shortly.`;
  return `No Postgres answered at ${url}: is it running, and is the address right?`;
}

function connectFailure(error: unknown, databaseUrl: string): Kind | undefined {
  let target: DatabaseTarget;
  try {
    target = databaseTarget(databaseUrl);
  } catch {
    return undefined;
  }
  for (let current = error, depth = 0; current instanceof Error && depth < 10; depth += 1) {
    const e = current as Error & {
      code?: unknown;
      port?: unknown;
      hostname?: unknown;
      address?: unknown;
      errors?: unknown;
    };
    // 57P03 cannot_connect_now. Refused credentials (28xxx) and a database that does not exist
    // (3D000) never get here: every connection is a PostgresClient, which makes them a
    // ConfigError naming DATABASE_URL.
    if (e.code === "57P03") return "not-ready";
    // A Unix socket that is not there: no server ever created it in that directory.
    if (e.code === "ENOENT" && e.address === `${target.host}/.s.PGSQL.${target.port}`) return "unreachable";
    if (typeof e.code === "string" && NETWORK_CODES.has(e.code)) {
      const samePort = e.port === undefined || `${e.port as number}` === target.port;
      const sameHost = e.hostname === undefined || e.hostname === target.host;
      if (samePort && sameHost) return "unreachable";
    }
    // Node reports a refused dual-stack connect as an AggregateError of one error per address.
    if (Array.isArray(e.errors) && e.errors.some((inner) => connectFailure(inner, databaseUrl))) {
      return "unreachable";
    }
    if (CONNECT_MESSAGES.test(e.message)) return "unreachable";
    current = e.cause;
  }
  return undefined;
}

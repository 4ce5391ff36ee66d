import { parse } from "pg-connection-string";

import { describeError } from "../describe-error.js";
import { ConfigError } from "./config-error.js";
import { type Env, readEnv } from "./read-env.js";

/** Where a DATABASE_URL points: a host name, or for a Unix socket the socket's directory. */
export interface DatabaseTarget {
  host: string;
  port: string;
  /** null: none named, so Postgres takes the user's name. */
  database: string | null;
}

/**
 * DATABASE_URL, checked as node-postgres will read it (pg-connection-string parses it there), so
 * every form that connects is accepted: libpq's `postgres://user@/db?host=/run/postgresql` for a
 * Unix socket among them, which WHATWG `URL` refuses (nothing between `@` and `/`). Its value is
 * never echoed: it may hold a password.
 */
export function readDatabaseUrl(env: Env): string | undefined {
  const raw = readEnv(env, "DATABASE_URL");
  if (raw === undefined) return undefined;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw)?.[1];
  if (scheme === undefined) throw new ConfigError("DATABASE_URL is not a valid URL.");
  if (!/^postgres(ql)?$/i.test(scheme) || !raw.slice(scheme.length).startsWith("://")) {
    throw new ConfigError(`DATABASE_URL must start with postgres:// or postgresql://; got ${scheme}:.`);
  }
  try {
    databaseTarget(raw);
  } catch (error) {
    if ((error as { code?: unknown }).code === "ERR_INVALID_URL") {
      throw new ConfigError("DATABASE_URL is not a valid URL.");
    }
    // The parser's own refusals (sslmode=verify-ca without sslrootcert, an sslcert it cannot
    // read) name the parameter and never the URL: what node-postgres would fail with, said now.
    throw new ConfigError(`DATABASE_URL cannot be used: ${describeError(error, 300)}`);
  }
  return raw;
}

/**
 * Where `url` points, as node-postgres reads it: `?host=` and `?port=` win over the authority,
 * and no host means localhost, no port 5432. Throws what the parser throws for a malformed URL.
 */
export function databaseTarget(url: string): DatabaseTarget {
  const parsed = parse(url);
  return {
    host: parsed.host || "localhost",
    port: parsed.port || "5432",
    database: parsed.database ?? null,
  };
}

/** `host:port/database`, or for a Unix socket `directory (port)/database`: for logs and status. */
export function describeTarget({ host, port, database }: DatabaseTarget): string {
  const at = host.startsWith("/")
    ? `${host} (socket, port ${port})`
    : `${host.includes(":") ? `[${host}]` : host}:${port}`;
  return `${at}/${database ?? ""}`;
}

import { parse } from "pg-connection-string";

import { describeError } from "../describe-error.js";
import { ConfigError } from "./config-error.js";
import { controlCharacterProblem } from "./control-character-problem.js";
import { AT_AFTER_AUTHORITY, hasAtAfterAuthority } from "./has-at-after-authority.js";
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
  // As in every URL setting (see urlProblem): the parser would drop a line break or tab unsaid.
  const control = controlCharacterProblem(raw);
  if (control !== undefined) throw new ConfigError(`DATABASE_URL ${control}.`);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw)?.[1];
  if (scheme === undefined) throw new ConfigError("DATABASE_URL is not a valid URL.");
  if (!/^postgres(ql)?$/i.test(scheme) || !raw.slice(scheme.length).startsWith("://")) {
    throw new ConfigError(`DATABASE_URL must start with postgres:// or postgresql://; got ${scheme}:.`);
  }
  // A password with a raw `#`, `?` or `/` ends the authority early: the URL points elsewhere and
  // the password's rest reads (and would be printed) as fragment, query or path. The host-less
  // form's `@/` cut included: `postgres://app:hunt@/er2@db/app`.
  if (hasAtAfterAuthority(raw)) throw new ConfigError(`DATABASE_URL ${AT_AFTER_AUTHORITY}.`);
  let target: DatabaseTarget;
  try {
    target = databaseTarget(raw, {});
  } catch (error) {
    if ((error as { code?: unknown }).code === "ERR_INVALID_URL") {
      throw new ConfigError("DATABASE_URL is not a valid URL.");
    }
    // The parser's own refusals (sslmode=verify-ca without sslrootcert, an sslcert it cannot
    // read) name the parameter and never the URL: what node-postgres would fail with, said now.
    throw new ConfigError(`DATABASE_URL cannot be used: ${describeError(error, 300)}`);
  }
  // node-postgres reads the port with parseInt and would only fail at the connection.
  if (!/^\d{1,5}$/.test(target.port) || Number(target.port) < 1 || Number(target.port) > 65535) {
    throw new ConfigError(
      `DATABASE_URL's port must be a number from 1 to 65535; got ${JSON.stringify(target.port)}.`,
    );
  }
  return raw;
}

/**
 * Where `url` points, as node-postgres reads it: `?host=` and `?port=` win over the authority,
 * then PGHOST, PGPORT and PGDATABASE from `env`, then localhost and 5432. Throws what the parser
 * throws for a malformed URL.
 */
export function databaseTarget(url: string, env: Env = process.env): DatabaseTarget {
  const parsed = parse(url);
  const port = parsed.port || env.PGPORT || "5432";
  return {
    host: parsed.host || env.PGHOST || "localhost",
    // As node-postgres reads it (parseInt): `05433` is the socket `.s.PGSQL.5433`.
    port: /^\d+$/.test(port) ? String(Number(port)) : port,
    database: parsed.database ?? env.PGDATABASE ?? null,
  };
}

/**
 * `host:port/database`, or for a Unix socket `directory (socket, port N)/database`, without
 * `/database` when none is named: for logs and status.
 */
export function describeTarget({ host, port, database }: DatabaseTarget): string {
  const at = host.startsWith("/")
    ? `${host} (socket, port ${port})`
    : `${host.includes(":") ? `[${host}]` : host}:${port}`;
  return database === null ? at : `${at}/${database}`;
}

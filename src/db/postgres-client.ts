import pg from "pg";

import { ConfigError } from "../config/config-error.js";
import { redactUrl } from "../config/redact-url.js";
import { explainTooManyConnections, type PoolFacts } from "./too-many-connections.js";

type ConnectCallback = (err: Error | null, client?: pg.Client) => void;

/** How long opening one connection may take, handshake included. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** pg's own error when the server asks for a password (SCRAM) and none was given. */
const NO_PASSWORD = /^SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a (non-empty )?string$/;

/**
 * The pool's client (pg.Pool's `Client` option). When connecting fails on our side (pg's SCRAM
 * code throws for a missing password), node-postgres reports the error but leaves the socket
 * open, and the server waits for the rest of the handshake: every command printed its error and
 * then hung until the server's authentication_timeout. Here a failed connect closes its socket,
 * and a missing password is a configuration error naming DATABASE_URL.
 */
export class PostgresClient extends pg.Client {
  /** The pool this client is a connection of, when it is one (poolClient): its refusals name it. */
  protected readonly poolFacts: PoolFacts | undefined = undefined;

  /**
   * Each connect is bounded (CONNECT_TIMEOUT_MS unless the config sets one): node-postgres waits
   * without end by default, so a DATABASE_URL naming a host that accepts the connection and never
   * answers (a firewall's black hole, the wrong service on the port) held `migrate` and the
   * worker's start silently forever. Set on the client, not the pool: the pool's timeout would
   * also bound the wait for a free connection, which a capped pool's runs take turns for.
   */
  private readonly connectTimeoutMs: number;

  constructor(config?: string | pg.ClientConfig) {
    const settings = typeof config === "string" ? { connectionString: config } : (config ?? {});
    const connectTimeoutMs = settings.connectionTimeoutMillis ?? CONNECT_TIMEOUT_MS;
    super({ ...settings, connectionTimeoutMillis: connectTimeoutMs });
    this.connectTimeoutMs = connectTimeoutMs;
  }

  override connect(): Promise<pg.Client>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.Client> | void {
    if (callback === undefined) {
      return new Promise((resolve, reject) => {
        this.connect((error) => (error ? reject(error) : resolve(this)));
      });
    }
    super.connect((error: Error | null) => {
      if (!error) return callback(null, this);
      this.connection.stream.destroy();
      callback(this.explain(error));
    });
  }

  /**
   * Refused credentials are configuration: one line naming DATABASE_URL (never its password).
   * pg's own wording for a missing password ("client password must be a string") is replaced.
   * A pool's connection refused for a connection limit (53300) says which, and what to turn.
   */
  private explain(error: Error): Error {
    const where = `DATABASE_URL (${this.redactedUrl()})`;
    if (NO_PASSWORD.test(error.message)) {
      return new ConfigError(
        `${where} has no password, but the server asks for one; give it in the URL ` +
          `(postgres://user:password@host/db) or in PGPASSWORD.`,
      );
    }
    const code = (error as { code?: unknown }).code;
    // 28P01 invalid_password, 28000 invalid_authorization_specification (no pg_hba.conf entry).
    if (code === "28P01" || code === "28000") {
      return new ConfigError(`${where} was refused: ${error.message}.`);
    }
    // 3D000 invalid_catalog_name: a database that does not exist is the URL's fault too.
    if (code === "3D000") return new ConfigError(`The database named in ${where} does not exist.`);
    // node-postgres' words when its connect timeout destroys the socket.
    if (error.message === "timeout expired") {
      return new Error(
        `${where} did not complete a connection within ${this.connectTimeoutMs} ms; is a Postgres server answering there?`,
        { cause: error },
      );
    }
    return (this.poolFacts && explainTooManyConnections(error, this.poolFacts)) ?? error;
  }

  /**
   * The connection as the databaseHint shows DATABASE_URL (redactUrl: the password as `***`), so
   * one setting reads the same in every message; built from what the client used, which may
   * have come from PG* variables rather than the URL.
   */
  private redactedUrl(): string {
    const user = this.user ?? "";
    const secret = typeof this.password === "string" && this.password !== "" ? ":secret" : "";
    const userinfo = user === "" && secret === "" ? "" : `${encodeURIComponent(user)}${secret}@`;
    const database = encodeURIComponent(this.database ?? "");
    // A Unix socket's directory is no host name: libpq's form names it as a parameter.
    if (this.host.startsWith("/")) {
      const dir = encodeURIComponent(this.host).replace(/%2F/gi, "/");
      return redactUrl(`postgres://${userinfo}/${database}?host=${dir}&port=${this.port}`);
    }
    const host = this.host.includes(":") ? `[${this.host}]` : this.host;
    const url = `postgres://${userinfo}${host}:${this.port}/${database}`;
    return redactUrl(url);
  }
}

/**
 * PostgresClient as the connections of one pool (pg.Pool's `Client`): a connection the server
 * refuses for its connection limits names the pool's size and what to turn (see
 * explainTooManyConnections).
 */
export function poolClient(facts: PoolFacts): typeof PostgresClient {
  return class extends PostgresClient {
    protected override readonly poolFacts = facts;
  };
}

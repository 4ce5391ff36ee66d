import pg from "pg";
import { describe, expect, inject, it } from "vitest";

import { databaseHint } from "../../src/cli/database-hint.js";
import { ConfigError } from "../../src/config/config-error.js";
import { redactUrl } from "../../src/config/redact-url.js";
import { PostgresClient } from "../../src/db/postgres-client.js";

/** What node-postgres really throws for `url`. */
async function connectError(url: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.end();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe("redactUrl", () => {
  it("hides the password in the authority and in parameters", () => {
    expect(redactUrl("postgres://app:hunter2@db:5432/app?sslmode=require&password=x")).toBe(
      "postgres://app:***@db:5432/app?sslmode=require&password=***",
    );
    expect(redactUrl("postgres://db/app")).toBe("postgres://db/app");
    expect(redactUrl("hunter2")).toBe("(not a URL)");
  });
});

describe("databaseHint", () => {
  it("names DATABASE_URL, redacted, when nothing answers there", async () => {
    const url = "postgres://app:hunter2@127.0.0.1:1/app";
    const hint = databaseHint(await connectError(url), { DATABASE_URL: url });
    expect(hint).toBe(
      "No Postgres answered at DATABASE_URL (postgres://app:***@127.0.0.1:1/app): is it running, and is the address right?",
    );
  });

  it("names DATABASE_URL when no server made the Unix socket it names", async () => {
    const url = "postgres://app:hunter2@/app?host=/nonexistent-msync&port=1";
    const hint = databaseHint(await connectError(url), { DATABASE_URL: url });
    expect(hint).toBe(
      "No Postgres answered at DATABASE_URL (postgres://app:***@/app?host=/nonexistent-msync&port=1): is it running, and is the address right?",
    );
  });

  it("leaves a database that does not exist to PostgresClient, which says so once, as configuration", async () => {
    const url = new URL(inject("databaseUrl"));
    url.pathname = "/msync_no_such_database";
    const client = new PostgresClient({ connectionString: url.toString() });
    const error = await client.connect().then(
      () => undefined,
      (refused: unknown) => refused,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      /^The database named in DATABASE_URL \(postgres:\/\/.*\/msync_no_such_database\) does not exist\.$/,
    );
    expect(databaseHint(error, { DATABASE_URL: url.toString() })).toBeUndefined();
  });

  it("says a Postgres that is starting up is not ready, not that its credentials are wrong", () => {
    const starting = Object.assign(new Error("the database system is starting up"), { code: "57P03" });
    expect(databaseHint(starting, { DATABASE_URL: "postgres://app:hunter2@db/app" })).toBe(
      "The Postgres at DATABASE_URL (postgres://app:***@db/app) is starting up or shutting down: try again shortly.",
    );
  });

  it("never prints a password whose raw `#` made the rest of it read as a fragment", () => {
    // pg-connection-string reads host `postgres`, port 99: a refusal there is blamed on the URL.
    const url = "postgres://postgres:99#SECRET@127.0.0.1:5433/x";
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const hint = databaseHint(refused, { DATABASE_URL: url });
    expect(hint).toMatch(/^No Postgres answered at DATABASE_URL \(\(not printed: /);
    expect(hint).not.toContain("SECRET");
  });

  it("blames nothing on the database for another host's failure, or without DATABASE_URL", async () => {
    const refused = await connectError("postgres://app@127.0.0.1:2/app");
    expect(databaseHint(refused, { DATABASE_URL: "postgres://app@127.0.0.1:1/app" })).toBeUndefined();
    expect(databaseHint(refused, {})).toBeUndefined();
  });
});

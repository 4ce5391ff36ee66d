import { describe, expect, it } from "vitest";

import { ConfigError } from "../../src/config/config-error.js";
import { databaseTarget, describeTarget, readDatabaseUrl } from "../../src/config/database-url.js";
import { redactUrl } from "../../src/config/redact-url.js";

function refusal(value: string): string {
  try {
    readDatabaseUrl({ DATABASE_URL: value });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`${value} was accepted`);
}

describe("readDatabaseUrl", () => {
  it("accepts every form node-postgres connects with, libpq's Unix-socket forms included", () => {
    for (const url of [
      "postgres://app:pw@db:5432/app",
      "postgresql://app@db/app?sslmode=require",
      "postgres://app@/app?host=/run/postgresql",
      "postgres://app:pw@/app?host=/run/postgresql&port=5433",
      "postgresql:///app?host=/tmp",
      "postgres://app@%2Frun%2Fpostgresql/app",
    ]) {
      expect(readDatabaseUrl({ DATABASE_URL: url })).toBe(url);
    }
    expect(readDatabaseUrl({})).toBeUndefined();
  });

  it("refuses other schemes and text that is no URL, without echoing it", () => {
    expect(refusal("mysql://app:hunter2@db/app")).toBe(
      "DATABASE_URL must start with postgres:// or postgresql://; got mysql:.",
    );
    expect(refusal("postgres:app@db/app")).toBe(
      "DATABASE_URL must start with postgres:// or postgresql://; got postgres:.",
    );
    expect(refusal("hunter2")).toBe("DATABASE_URL is not a valid URL.");
    expect(refusal("postgres://app:hunter2@db:port/app")).toBe("DATABASE_URL is not a valid URL.");
    expect(refusal("postgres://app:hunter2@db/app?port=abc")).toBe(
      'DATABASE_URL\'s port must be a number from 1 to 65535; got "abc".',
    );
    expect(refusal("postgres://app@/app?host=/tmp&port=70000")).toMatch(/port must be a number.*"70000"/);
    // Host-less, a raw `@/` in the password would end the user info there: the rest, the path.
    const cut = refusal("postgres://app:hunt@/er2@db/app");
    expect(cut).toMatch(/^DATABASE_URL has an `@` after its host .* percent-encode/);
    expect(cut).not.toContain("er2");
  });

  it("refuses a password with a raw `#`, `?` or `/`, which ends the authority early", () => {
    // pg reads the first as host `postgres`, port 99, and the password as a fragment.
    for (const url of [
      "postgres://postgres:99#SECRET@127.0.0.1:5433/x",
      "postgres://postgres:SE?CRET@127.0.0.1:5433/x",
      "postgresql://postgres:SE/CRET@127.0.0.1:5433/x",
      "postgres://postgres:SE\\CRET@db/x",
      "postgres://app@db/x?options=a@b",
    ]) {
      const message = refusal(url);
      expect(message).toBe(
        "DATABASE_URL has an `@` after its host (in the path, query or fragment), which is how an " +
          "unencoded `#`, `?` or `/` in a password reads: percent-encode them in the password " +
          "(%23, %3F, %2F; `@` as %40).",
      );
      expect(message).not.toMatch(/SECRET|CRET|127\.0\.0\.1/);
    }
    // Percent-encoded, the same passwords are fine.
    expect(readDatabaseUrl({ DATABASE_URL: "postgres://postgres:99%23SECRET@127.0.0.1:5433/x" })).toBe(
      "postgres://postgres:99%23SECRET@127.0.0.1:5433/x",
    );
    expect(readDatabaseUrl({ DATABASE_URL: "postgres://u:p@ss@db/x" })).toBe("postgres://u:p@ss@db/x");
  });

  it("says what node-postgres would refuse about its parameters, before connecting", () => {
    expect(refusal("postgres://app:hunter2@db/app?uselibpqcompat=true&sslmode=verify-ca")).toMatch(
      /^DATABASE_URL cannot be used: .*verify-ca requires specifying a CA with sslrootcert/,
    );
    const unreadable = refusal("postgres://app:hunter2@db/app?sslrootcert=/nonexistent/ca.pem");
    expect(unreadable).toMatch(/^DATABASE_URL cannot be used: .*ENOENT.*\/nonexistent\/ca\.pem/);
    expect(unreadable).not.toContain("hunter2");
  });
});

describe("databaseTarget", () => {
  it("reads host, port and database as node-postgres does: parameters win, defaults filled in", () => {
    expect(databaseTarget("postgres://app@db:6432/app", {})).toEqual({
      host: "db",
      port: "6432",
      database: "app",
    });
    expect(databaseTarget("postgres://app@/app?host=/run/postgresql", {})).toEqual({
      host: "/run/postgresql",
      port: "5432",
      database: "app",
    });
    expect(databaseTarget("postgres://app@db?port=6000", {})).toEqual({
      host: "db",
      port: "6000",
      database: null,
    });
    expect(databaseTarget("postgres://", {})).toEqual({ host: "localhost", port: "5432", database: null });
    expect(databaseTarget("postgres://app@/app?host=/tmp&port=05433")).toMatchObject({ port: "5433" });
  });

  it("takes what the URL leaves out from PGHOST, PGPORT and PGDATABASE, as node-postgres does", () => {
    const env = { PGHOST: "/run/postgresql", PGPORT: "6432", PGDATABASE: "mirror" };
    expect(databaseTarget("postgres://app@/", env)).toEqual({
      host: "/run/postgresql",
      port: "6432",
      database: "mirror",
    });
    expect(databaseTarget("postgres://app@db:5433/app", env)).toEqual({
      host: "db",
      port: "5433",
      database: "app",
    });
  });

  it("describes a socket by its directory, a host by host and port", () => {
    expect(describeTarget(databaseTarget("postgres://app@db/app"))).toBe("db:5432/app");
    expect(describeTarget(databaseTarget("postgres://app@db", {}))).toBe("db:5432");
    expect(describeTarget(databaseTarget("postgres://app@[::1]:6432/app"))).toBe("[::1]:6432/app");
    expect(describeTarget(databaseTarget("postgres://app@/app?host=/tmp&port=5433"))).toBe(
      "/tmp (socket, port 5433)/app",
    );
  });
});

describe("redactUrl on a URL whose password's end is ambiguous", () => {
  it("prints none of it, rather than the password as a fragment, query or path", () => {
    for (const url of [
      "postgres://postgres:99#SECRET@127.0.0.1:5433/x",
      "postgres://postgres:SE?CRET@127.0.0.1:5433/x",
      "postgres://postgres:SE/CRET@127.0.0.1:5433/x",
      "postgres://app:hunt@/er2@db/app",
    ]) {
      const printed = redactUrl(url);
      expect(printed).toBe("(not printed: an `@` after its host makes its password ambiguous)");
      expect(printed).not.toMatch(/SECRET|CRET|er2/);
    }
  });
});

describe("redactUrl on libpq's Unix-socket form", () => {
  it("hides the password and keeps the form", () => {
    expect(redactUrl("postgres://app:hunter2@/app?host=/run/postgresql")).toBe(
      "postgres://app:***@/app?host=/run/postgresql",
    );
    expect(redactUrl("postgres://app@/app?host=/tmp&password=hunter2")).toBe(
      "postgres://app@/app?host=%2Ftmp&password=***",
    );
  });
});

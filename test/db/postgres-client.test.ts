import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startThrowawayPostgres, type ThrowawayPostgres } from "../../scripts/drill/throwaway-postgres.js";

/**
 * A Postgres that asks for a password (scram-sha-256), reached with a DATABASE_URL without one.
 * Before the fix pg printed its SASL error and left the socket open: every command hung until
 * the server's authentication_timeout (a minute), so these children were killed at 20 s.
 */
const PASSWORD = `pw-${randomBytes(8).toString("hex")}`;
let server: ThrowawayPostgres;
beforeAll(async () => {
  server = await startThrowawayPostgres({ password: PASSWORD });
});
afterAll(() => server?.destroy());

interface Ended {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** The real command with only the variables given; killed after 20 s rather than awaited. */
function cli(args: string[], databaseUrl: string): Promise<Ended> {
  const env = {
    PATH: process.env.PATH ?? "",
    LOG_LEVEL: "silent",
    DATABASE_URL: databaseUrl,
    METASTUDIO_ENDPOINT: "http://127.0.0.1:1",
    METASTUDIO_PROJECT_IDS: "p-auth",
    METASTUDIO_AUTH_TOKEN: "tok-auth",
  };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", ...args],
      { env, timeout: 20_000, killSignal: "SIGKILL" },
      (error, stdout, stderr) => {
        const failed = error as (Error & { code?: number; signal?: string }) | null;
        resolve({ code: failed ? (failed.code ?? null) : 0, signal: failed?.signal ?? null, stdout, stderr });
      },
    );
  });
}

function withoutPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = "";
  return parsed.toString();
}

describe("DATABASE_URL without a password for a server that asks for one", () => {
  it("sync, migrate and status exit 2 at once with one line naming DATABASE_URL", async () => {
    const url = withoutPassword(server.url);
    const ended = await Promise.all([
      cli(["sync", "--full"], url),
      cli(["migrate"], url),
      cli(["status"], url),
    ]);
    for (const { code, signal, stderr } of ended) {
      expect(signal).toBeNull();
      expect(code).toBe(2);
      const lines = stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`DATABASE_URL (postgres://postgres@127.0.0.1:${server.port}/postgres)`);
      expect(lines[0]).toContain("has no password, but the server asks for one");
      expect(stderr).not.toContain("at ");
    }
  });

  it("a wrong password is exit 2 too, naming DATABASE_URL without echoing it; the right one works", async () => {
    const wrong = new URL(server.url);
    wrong.password = "not-the-password";
    const refused = await cli(["migrate"], wrong.toString());
    expect(refused.signal).toBeNull();
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe(
      // The URL as every other message shows it: a password given, as `***`.
      `metastudio-sync: DATABASE_URL (postgres://postgres:***@127.0.0.1:${server.port}/postgres) was refused: ` +
        'password authentication failed for user "postgres".',
    );
    expect(refused.stderr).not.toContain("not-the-password");

    const accepted = await cli(["migrate"], server.url);
    expect(accepted).toMatchObject({ code: 0, signal: null });
    expect(accepted.stderr).not.toContain(PASSWORD);
  });
});

describe("DATABASE_URL naming a Unix socket", () => {
  // libpq's form, nothing between `@` and the path: WHATWG URL refuses it, node-postgres reads it.
  const socketUrl = (user: string) =>
    `postgres://${user}@/postgres?host=${server.socketDir}&port=${server.port}`;

  it("connects in libpq's form, and says where", async () => {
    const migrated = await cli(["migrate"], socketUrl("postgres"));
    expect(migrated).toMatchObject({ code: 0, signal: null, stderr: "" });
    expect(migrated.stdout).toBe(
      `Migrations applied to ${server.socketDir} (socket, port ${server.port})/postgres.\n`,
    );
  });

  it("names the socket, in the same form, when the server refuses the role", async () => {
    const refused = await cli(["migrate"], socketUrl("nobody"));
    expect(refused).toMatchObject({ code: 2, signal: null });
    expect(refused.stderr.trim()).toBe(
      `metastudio-sync: DATABASE_URL (${socketUrl("nobody")}) was refused: role "nobody" does not exist.`,
    );
  });
});

import { createServer, type Server } from "node:net";

import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { inject } from "vitest";

import { openDatabase } from "../../src/db/open-database.js";
import { ConfigError } from "../../src/config/config-error.js";
import { assertAdminBinding } from "../../src/http/assert-admin-binding.js";
import { isLoopbackHost } from "../../src/is-loopback-host.js";
import { shippedMigrations } from "../../src/db/migration-state.js";
import { createTestDatabase } from "../support/test-database.js";
import { startAdmin, useAdminServer, TOKEN } from "./admin-fixture.js";

const shared = useAdminServer();

interface ReadyBody {
  status: string;
  checks: Record<"redis" | "postgres" | "migrations", { ok: boolean; error?: string }>;
}

describe("probes", () => {
  it("answers /healthz with 200", async () => {
    const response = await fetch(`${shared.admin.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("reports its real port in url", () => {
    expect(shared.admin.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(shared.admin.url).not.toMatch(/:0$/);
  });

  it("answers /readyz with 200 when Redis, Postgres and the migrations are fine", async () => {
    const response = await fetch(`${shared.admin.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: "ready",
      checks: { redis: { ok: true }, postgres: { ok: true }, migrations: { ok: true } },
    });
  });

  it("answers /readyz with 503 naming Redis when Redis is unreachable", async () => {
    const port = await closedPort();
    const down = new Redis({ host: "127.0.0.1", port, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    down.on("error", () => {});
    const server = await startAdmin(shared.services, { redis: down });
    try {
      const response = await fetch(`${server.url}/readyz`);
      expect(response.status).toBe(503);
      const body = (await response.json()) as ReadyBody;
      expect(body.status).toBe("not ready");
      expect(body.checks.redis).toMatchObject({ ok: false, error: expect.stringMatching(/not connected/) });
      expect(body.checks.postgres).toEqual({ ok: true });
    } finally {
      await server.close();
      down.disconnect();
    }
  });

  it("answers /readyz with 503 instead of hanging when Redis accepts but never answers PING", async () => {
    const silent = await pingSwallowingServer();
    const port = (silent.address() as { port: number }).port;
    const mute = new Redis({ host: "127.0.0.1", port, enableReadyCheck: false });
    mute.on("error", () => {});
    await new Promise<void>((resolve) => mute.once("ready", () => resolve()));
    const server = await startAdmin(shared.services, { redis: mute, readinessTimeoutMs: 200 });
    try {
      const response = await fetch(`${server.url}/readyz`);
      expect(response.status).toBe(503);
      const body = (await response.json()) as ReadyBody;
      expect(body.checks.redis).toEqual({ ok: false, error: "PING timed out after 200 ms" });
      expect(body.checks.postgres).toEqual({ ok: true });
    } finally {
      await server.close();
      mute.disconnect();
      silent.close();
    }
  });

  it("answers /readyz with 503 naming Postgres when it is unreachable", async () => {
    const url = new URL(inject("databaseUrl"));
    url.port = String(await closedPort());
    const down = await openDatabase({ databaseUrl: url.toString(), embeddedDataDir: "" });
    const server = await startAdmin(shared.services, { database: down });
    try {
      const response = await fetch(`${server.url}/readyz`);
      expect(response.status).toBe(503);
      const body = (await response.json()) as ReadyBody;
      expect(body.checks.redis).toEqual({ ok: true });
      expect(body.checks.postgres).toMatchObject({ ok: false, error: expect.stringMatching(/ECONNREFUSED/) });
      expect(body.checks.migrations).toEqual({ ok: false, error: "not checked: Postgres is down" });
    } finally {
      await server.close();
      await down.close();
    }
  });

  it("answers /readyz with 503 naming the migrations on a database never migrated", async () => {
    const empty = await createTestDatabase({ migrate: false });
    // Every migration this build ships, however many other changes have added.
    const shipped = shippedMigrations().length;
    const server = await startAdmin(shared.services, { database: empty });
    try {
      const response = await fetch(`${server.url}/readyz`);
      expect(response.status).toBe(503);
      const body = (await response.json()) as ReadyBody;
      expect(body.checks.postgres).toEqual({ ok: true });
      expect(body.checks.redis).toEqual({ ok: true });
      expect(body.checks.migrations).toEqual({
        ok: false,
        error: `${shipped} of ${shipped} migrations not applied; run \`metastudio-sync migrate\``,
      });
    } finally {
      await server.close();
      await empty.drop();
    }
  });

  it("answers /readyz with 503 when the newest migration is missing from drizzle's table", async () => {
    const { pool } = shared.services.database;
    await pool.query("update drizzle.__drizzle_migrations set created_at = created_at - 1");
    try {
      const response = await fetch(`${shared.admin.url}/readyz`);
      expect(response.status).toBe(503);
      expect(((await response.json()) as ReadyBody).checks.migrations.ok).toBe(false);
    } finally {
      await pool.query("update drizzle.__drizzle_migrations set created_at = created_at + 1");
    }
    expect((await fetch(`${shared.admin.url}/readyz`)).status).toBe(200);
  });

  it("answers /readyz with 503 when a newer version migrated the database", async () => {
    const { pool } = shared.services.database;
    const newest = Math.max(...shippedMigrations());
    await pool.query(
      "insert into drizzle.__drizzle_migrations (hash, created_at) values ('from a newer build', $1)",
      [newest + 1000],
    );
    try {
      const response = await fetch(`${shared.admin.url}/readyz`);
      expect(response.status).toBe(503);
      expect(((await response.json()) as ReadyBody).checks.migrations).toEqual({
        ok: false,
        error:
          "the database was migrated by a newer version of metastudio-sync than this one; run that version",
      });
    } finally {
      await pool.query("delete from drizzle.__drizzle_migrations where hash = 'from a newer build'");
    }
    expect((await fetch(`${shared.admin.url}/readyz`)).status).toBe(200);
  });

  it("answers unknown paths with 404", async () => {
    expect((await fetch(`${shared.admin.url}/nope`)).status).toBe(404);
  });
});

describe("close", () => {
  it("stops listening even with a kept-alive connection, and can be called twice", async () => {
    const server = await startAdmin(shared.services);
    const response = await fetch(`${server.url}/metrics`);
    await response.text();
    await Promise.all([server.close(), server.close()]);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});

describe("binding", () => {
  it("refuses to listen beyond loopback without ADMIN_TOKEN, naming both variables", async () => {
    for (const host of ["0.0.0.0", "::", "192.0.2.10", "example.com"]) {
      await expect(
        startAdmin(shared.services, { config: { host, port: 0, token: undefined } }),
      ).rejects.toThrow(/ADMIN_HOST.*ADMIN_TOKEN/s);
    }
    expect(() => assertAdminBinding({ host: "0.0.0.0", port: 9464, token: undefined })).toThrow(ConfigError);
    expect(() => assertAdminBinding({ host: "localhost", port: 9464, token: undefined })).not.toThrow();
  });

  it("listens on 0.0.0.0 when ADMIN_TOKEN is set", async () => {
    const server = await startAdmin(shared.services, { config: { host: "0.0.0.0", port: 0, token: TOKEN } });
    try {
      expect(server.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
      const port = new URL(server.url).port;
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it("names the port when it is taken", async () => {
    const port = new URL(shared.admin.url).port;
    await expect(
      startAdmin(shared.services, { config: { host: "127.0.0.1", port: Number(port), token: TOKEN } }),
    ).rejects.toThrow(/ADMIN_PORT/);
  });

  it("tells loopback addresses from the rest", () => {
    for (const host of [
      "127.0.0.1",
      "127.1.2.3",
      "localhost",
      "LOCALHOST",
      "::1",
      "[::1]",
      "::ffff:127.0.0.1",
    ]) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of [
      "0.0.0.0",
      "::",
      "10.0.0.1",
      "128.0.0.1",
      "::ffff:10.0.0.1",
      "my-host",
      "localhost.evil.example",
    ]) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});

async function closedPort(): Promise<number> {
  const server = await listen(createServer());
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function listen(server: Server): Promise<Server> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** Speaks just enough RESP for ioredis to connect (+OK to everything), then never answers PING. */
function pingSwallowingServer(): Promise<Server> {
  return listen(
    createServer((socket) => {
      socket.on("data", (data) => {
        for (const command of data.toString("latin1").split(/(?=\*\d+\r\n\$)/)) {
          if (command && !/\r\nping\r\n/i.test(command)) socket.write("+OK\r\n");
        }
      });
    }),
  );
}

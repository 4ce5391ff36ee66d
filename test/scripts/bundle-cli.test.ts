import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { bundleCli } from "../../scripts/bundle-cli.js";
import { smartChatRooms } from "../../src/db/schema.js";
import { startSimulator, type Simulator } from "../../src/simulator/simulator.js";
import { createTestDatabase, randomPrefix, type TestDatabase } from "../support/test-database.js";

const run = promisify(execFile);
const root = resolve(".");
const TOKEN = "bundle-token";
// The package as installed: the bundle in dist/bin, beside its package.json, migrations and
// node_modules, and nothing of src/ or tsc's dist/ to fall back on.
const pkg = mkdtempSync(join(tmpdir(), "msync-bundle-"));
const bin = join(pkg, "dist", "bin", "metastudio-sync.js");

let database: TestDatabase;
let sim: Simulator;
beforeAll(async () => {
  mkdirSync(join(pkg, "dist"));
  for (const entry of ["package.json", "migrations", "node_modules"]) {
    symlinkSync(join(root, entry), join(pkg, entry));
  }
  await bundleCli(pkg);
  database = await createTestDatabase({ migrate: false });
  sim = await startSimulator({
    projectIds: ["p-bundle"],
    roomsPerProject: 250,
    credentials: { accessKeys: {}, tokens: [TOKEN], iamUsers: [] },
  });
}, 60_000);
afterAll(async () => {
  await sim?.close();
  await database?.drop();
  rmSync(pkg, { recursive: true, force: true });
});

/** `file` and every chunk it imports statically, transitively: what loading it costs. */
function staticImports(dir: string, file: string, seen = new Set<string>()): Set<string> {
  seen.add(file);
  const source = readFileSync(join(dir, file), "utf8");
  for (const [, chunk] of source.matchAll(/^import\s(?:[^;]*?\sfrom\s)?"\.\/([^"]+)";/gms)) {
    if (!seen.has(chunk!)) staticImports(dir, chunk!, seen);
  }
  return seen;
}

function cli(args: string[]) {
  return run(process.execPath, [bin, ...args], {
    env: {
      PATH: process.env.PATH ?? "",
      DATABASE_URL: database.url,
      REDIS_URL: inject("redisUrl"),
      QUEUE_PREFIX: randomPrefix(),
      METASTUDIO_ENDPOINT: sim.url,
      METASTUDIO_PROJECT_IDS: "p-bundle",
      METASTUDIO_AUTH_TOKEN: TOKEN,
      METASTUDIO_RATE_LIMIT: "1000",
    },
  });
}

describe("the bundled CLI (dist/bin)", () => {
  it("keeps the shebang's heap flags and splits at the lazy imports", () => {
    expect(readFileSync(bin, "utf8").split("\n", 1)[0]).toBe(
      readFileSync("src/cli/main.ts", "utf8").split("\n", 1)[0],
    );
    const files = readdirSync(join(pkg, "dist", "bin"));
    expect(files.some((f) => /^sync-action-\w+\.js$/.test(f))).toBe(true);
    expect(files.some((f) => /^worker-action-\w+\.js$/.test(f))).toBe(true);
  });

  it("gives sync --json only what it runs: no table formatter (string-width), no zod locale but English, no fetch, one rate limiter store", () => {
    const dir = join(pkg, "dist", "bin");
    const syncAction = readdirSync(dir).find((f) => /^sync-action-\w+\.js$/.test(f))!;
    const loaded = staticImports(dir, "metastudio-sync.js");
    for (const file of staticImports(dir, syncAction)) loaded.add(file);
    const modules = [...loaded].flatMap((f) =>
      [...readFileSync(join(dir, f), "utf8").matchAll(/^\/\/ (node_modules\/\S+)$/gm)].map((m) => m[1]),
    );
    // undici's parts, not its index (fetch, WebSocket, cookies: see src/metastudio/undici.ts). The
    // HTTP/1 client keeps a lazy require of fetch's body reader, for bodies a sync never sends.
    expect(modules).toContain("node_modules/undici/lib/dispatcher/client-h1.js");
    const web =
      /^node_modules\/undici\/(index\.js|lib\/web\/(fetch\/index|websocket|cookies|eventsource|cache)\b)/;
    expect(modules.filter((m) => web.test(m!))).toEqual([]);
    // The two limiters used, not rate-limiter-flexible's index with its two dozen stores.
    expect(modules).toContain("node_modules/rate-limiter-flexible/lib/RateLimiterMemory.js");
    expect(modules).not.toContain("node_modules/rate-limiter-flexible/index.js");
    expect(modules).not.toContain("node_modules/rate-limiter-flexible/lib/RateLimiterCluster.js");
    expect(modules.filter((m) => m!.startsWith("node_modules/string-width/"))).toEqual([]);
    // `import { z }` kept zod's namespace whole, 63 translations of its messages with it (570 KB).
    expect(modules.filter((m) => m!.startsWith("node_modules/zod/v4/locales/"))).toEqual([
      "node_modules/zod/v4/locales/en.js",
    ]);
  });

  it("reads its version from the package.json two levels up", async () => {
    const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    const { stdout } = await cli(["--version"]);
    expect(stdout.trim()).toBe(version);
  });

  it("applies the migrations beside it and mirrors a project (Postgres, the upstream client, the engine)", async () => {
    const { stdout } = await cli(["sync", "--full", "--json"]);
    const [summary] = JSON.parse(stdout) as Array<{ status: string; counts: { roomsInserted: number } }>;
    expect(summary).toMatchObject({ status: "succeeded", counts: { roomsInserted: 250 } });
    const rooms = await database.db
      .select()
      .from(smartChatRooms)
      .where(eq(smartChatRooms.projectId, "p-bundle"));
    expect(rooms).toHaveLength(250);
  });

  it("loads the queue packages it leaves external (status with Redis)", async () => {
    const { stdout } = await cli(["status", "--json"]);
    const [status] = JSON.parse(stdout) as Array<{ projectId: string; queue?: { error?: string } }>;
    expect(status?.projectId).toBe("p-bundle");
    expect(status?.queue).toBeDefined();
    expect(status?.queue?.error).toBeUndefined();
  });
});

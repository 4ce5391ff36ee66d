import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "msync-modules-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Registered before the CLI loads: a loader hook that appends every module URL Node loads to
 * MODULES_FILE. Hooks run on a thread of their own, hence the file.
 */
const RECORDER = `data:text/javascript,${encodeURIComponent(`
import { register } from "node:module";
register("data:text/javascript," + encodeURIComponent(
  'import { appendFileSync } from "node:fs";' +
  'export async function load(url, context, next) {' +
  '  appendFileSync(process.env.MODULES_FILE, url + "\\\\n");' +
  '  return next(url, context);' +
  '}'));
`)}`;

/** The module URLs `metastudio-sync ...args` loads, run from source. */
async function modulesLoadedBy(args: string[]): Promise<string[]> {
  const file = join(dir, `${args.join("-").replace(/\W/g, "_")}.txt`);
  await run(process.execPath, ["--import", "tsx", "--import", RECORDER, "src/cli/main.ts", ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, MODULES_FILE: file },
  });
  return readFileSync(file, "utf8").split("\n").filter(Boolean);
}

/** What only a command's action needs: the engine, the database, the queue, the HTTP client. */
const HEAVY =
  /\/node_modules\/(undici|pg|drizzle-orm|zod|pino|bullmq|ioredis|hono|@electric-sql)\/|\/src\/(sync|db|queue|metastudio|http)\//;

describe("the CLI's commands", () => {
  for (const args of [["--help"], ["status", "--help"], ["sync", "--help"], ["worker", "--help"]]) {
    it(`\`${args.join(" ")}\` loads no command's implementation`, async () => {
      const loaded = await modulesLoadedBy(args);
      expect(loaded.some((url) => url.endsWith("/src/cli/main.ts"))).toBe(true);
      expect(loaded.filter((url) => HEAVY.test(url))).toEqual([]);
    });
  }
});

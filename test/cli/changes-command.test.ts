import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { promisify } from "node:util";

import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { queryRows } from "../../src/db/query-rows.js";
import { startHarness, type Harness } from "../support/sync-harness.js";
import { useTestDatabase } from "../support/use-test-database.js";

const PROJECTS = ["p-feed-a", "p-feed-b", "p-feed-c"];
const database = useTestDatabase();
let harness: Harness;
beforeAll(async () => {
  harness = await startHarness(database, { projectIds: PROJECTS, roomsPerProject: 150 });
});
afterAll(async () => {
  await harness.close();
});

const env = () => ({ PATH: process.env.PATH ?? "", LOG_LEVEL: "silent", DATABASE_URL: database.url });

/** The real command as a consumer: every complete NDJSON line it printed, in order. */
function consumer(args: string[]) {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", "src/cli/main.ts", "changes", "--json", ...args],
    {
      env: env(),
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  type Line = { cursor: string; id: number; change: string; project_id: string; room_id: string };
  const lines: Line[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => lines.push(JSON.parse(line) as Line));
  const closed = new Promise((resolve) => child.once("close", resolve));
  return {
    lines,
    /** SIGKILL: no chance to finish a line or say goodbye; what it printed is what it consumed. */
    kill: async () => {
      child.kill("SIGKILL");
      await closed;
    },
  };
}

async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const changeIds = async () =>
  (
    await queryRows<{ id: string }>(
      database.db,
      sql`select id::text as id from smart_chat_room_changes c order by c.id`,
    )
  ).map((r) => Number(r.id));

const syncAll = () => Promise.all(PROJECTS.map((p) => harness.run(p, {}, { batchSize: 20 })));

describe("metastudio-sync changes", () => {
  it("a consumer killed and restarted from its cursor during concurrent syncs gets every change exactly once", async () => {
    const first = consumer(["--follow"]);
    const round1 = syncAll();
    await until(() => first.lines.length >= 40, "the first consumer's first changes");
    await first.kill();
    await round1;
    const cursor = first.lines.at(-1)!.cursor;

    const second = consumer(["--follow", "--since", cursor]);
    const afterRound1 = (await changeIds()).length;
    await until(
      () => first.lines.length + second.lines.length >= afterRound1,
      "the second consumer to catch up",
    );

    // A change committed late: its transaction takes its id and xid before the second round's
    // batches, and commits after them, while the consumer is reading (woken by their NOTIFYs).
    // Read in id order, or without waiting for it, it would be skipped.
    const late = new pg.Client({ connectionString: database.url });
    await late.connect();
    await late.query("begin");
    await late.query(
      `insert into smart_chat_room_changes (project_id, room_id, run_id, change, changed_fields, observed_at)
       values ('p-feed-late', 'r-late', gen_random_uuid(), 'created', '{}', now())`,
    );
    for (const p of PROJECTS) {
      const [one, two] = harness.sim.rooms(p);
      harness.sim.updateRoom(p, String(one!.room_id), { room_name: "renamed" });
      harness.sim.deleteRoom(p, String(two!.room_id));
      harness.sim.createRoom(p, { room_name: "new" });
    }
    await syncAll();
    await new Promise((resolve) => setTimeout(resolve, 3000)); // longer than the feed's poll
    await late.query("commit");
    await late.end();

    const all = await changeIds();
    expect(all.length).toBeGreaterThan(450);
    await until(() => first.lines.length + second.lines.length >= all.length, "every change");
    await new Promise((resolve) => setTimeout(resolve, 500)); // room for a repeat to show up
    await second.kill();

    const seen = [...first.lines, ...second.lines].map((line) => line.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort((a, b) => a - b)).toEqual(all);
    // How much of round 1 the first consumer read before it was killed depends on the machine;
    // the second always reads round 2 and the late change.
    expect(second.lines.map((l) => l.room_id)).toContain("r-late");
    const kinds = new Set([...first.lines, ...second.lines].map((l) => l.change));
    expect([...kinds].sort()).toEqual(["created", "deleted", "discovered", "updated"]);
  }, 120_000);

  it("without --follow prints what is committed and exits; a bad cursor exits 2 naming --since", async () => {
    const run = promisify(execFile);
    const { stdout } = await run(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "changes", "--project", "p-feed-b"],
      {
        env: env(),
        maxBuffer: 1 << 24,
      },
    );
    const lines = stdout.trim().split("\n");
    expect(lines.length).toBeGreaterThan(150);
    expect(lines.every((line) => line.includes(" p-feed-b "))).toBe(true);
    const bad = await run(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "changes", "--since", "42"],
      {
        env: env(),
      },
    ).catch((error: { code: number; stderr: string }) => error);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining("--since") });
    const typo = await run(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "changes", "--project", "p-feed-b/"],
      { env: env() },
    ).catch((error: { code: number; stderr: string }) => error);
    expect(typo).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--project "p-feed-b\/" is not a project ID/),
    });
  });
});

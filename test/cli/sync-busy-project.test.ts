import { spawn } from "node:child_process";

import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";

import { tryLockProject, type ProjectLock } from "../../src/db/project-lock.js";
import { syncRuns } from "../../src/db/schema.js";
import { insertTestRun } from "../support/insert-test-run.js";
import { useTestDatabase } from "../support/use-test-database.js";

const database = useTestDatabase();
let lock: ProjectLock | null = null;
afterEach(async () => {
  await lock?.release();
  lock = null;
});

/** `sync` as a user runs it, on the test's database. The project is busy: no request is made. */
function sync(args: string[], projectId: string) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "sync", ...args], {
    env: {
      PATH: process.env.PATH ?? "",
      DATABASE_URL: database.url,
      METASTUDIO_PROJECT_IDS: projectId,
      METASTUDIO_ENDPOINT: "http://127.0.0.1:1",
      METASTUDIO_AUTH_TOKEN: "cli-busy-token",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once("close", (code) => resolve({ code, stdout, stderr })),
  );
}

describe("metastudio-sync sync on a project another run holds", () => {
  it("reports no run of its own (runId null), never the other process's run", async () => {
    // Another process's run, in progress: it holds the project's lock and has its row. Stamped a
    // few seconds ahead, as a run on a machine whose clock is ahead of this one is: the newest
    // `cli` row of the project whenever this command looks, however long it takes to start.
    lock = await tryLockProject(database, "p-busy");
    expect(lock).not.toBeNull();
    const theirs = await insertTestRun(database.db, {
      projectId: "p-busy",
      startedAt: new Date(Date.now() + 5_000),
    });

    const { code, stdout, stderr } = await sync(["--full", "--json"], "p-busy");
    expect(code, stderr).toBe(1);
    expect(JSON.parse(stdout)).toEqual([
      {
        projectId: "p-busy",
        status: "failed",
        runId: null,
        error: "A sync of project p-busy is already running; this one did nothing.",
      },
    ]);
    expect(stderr).not.toContain(theirs);
    // Nothing was recorded as this command's, and the other run was left alone.
    const rows = await database.db.select().from(syncRuns).where(eq(syncRuns.projectId, "p-busy"));
    expect(rows.map((r) => [r.id, r.status])).toEqual([[theirs, "running"]]);
  });
});

import { spawn } from "node:child_process";

import { desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { smartChatRooms, syncRuns } from "../../src/db/schema.js";
import { startSimulator, type Simulator } from "../../src/simulator/simulator.js";
import { useTestDatabase } from "../support/use-test-database.js";

const TOKEN = "cli-sync-token";
const database = useTestDatabase();
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({
    projectIds: ["p-interrupt", "p-refused"],
    roomsPerProject: 3000,
    credentials: { accessKeys: {}, tokens: [TOKEN], iamUsers: [] },
  });
});
afterAll(async () => {
  await sim.close();
});

interface Cli {
  /** Resolves once the process ended. */
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  kill(signal: NodeJS.Signals): void;
}

/** The real command, as a user runs it, against the simulator and the test's database. */
function cli(args: string[], env: Record<string, string> = {}): Cli {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    env: {
      PATH: process.env.PATH ?? "",
      DATABASE_URL: database.url,
      METASTUDIO_ENDPOINT: sim.url,
      METASTUDIO_AUTH_TOKEN: TOKEN,
      METASTUDIO_RATE_LIMIT: "1000",
      METASTUDIO_PAGE_CONCURRENCY: "1",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once("close", (code) => resolve({ code, stdout, stderr })),
  );
  return { done, kill: (signal) => child.kill(signal) };
}

async function until(condition: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const storedRooms = async (projectId: string) =>
  (await database.db.select().from(smartChatRooms).where(eq(smartChatRooms.projectId, projectId))).length;

const latestRun = async (projectId: string) => {
  const [row] = await database.db
    .select()
    .from(syncRuns)
    .where(eq(syncRuns.projectId, projectId))
    .orderBy(desc(syncRuns.startedAt))
    .limit(1);
  return row;
};

describe("metastudio-sync sync", () => {
  it("records a run stopped by SIGINT as interrupted with its counts, exits 130, and a full run resumes it", async () => {
    // Slow pages, one at a time: the run is still reading when the signal comes.
    sim.setBehaviour({ latencyMs: 150 });
    const run = cli(["sync", "--full", "--json"], { METASTUDIO_PROJECT_IDS: "p-interrupt" });
    await until(async () => (await storedRooms("p-interrupt")) >= 500, "the first committed batch");
    run.kill("SIGINT");
    const { code, stdout, stderr } = await run.done;
    expect(code, stderr).toBe(130);
    const row = (await latestRun("p-interrupt"))!;
    expect(row.status).toBe("failed");
    expect(row.error).toBe("interrupted by SIGINT");
    expect(row.roomsInserted).toBeGreaterThan(0);
    expect(row.roomsInserted).toBe(await storedRooms("p-interrupt"));
    // --json lists the interrupted run with its ID and error, not `[]`.
    expect(JSON.parse(stdout)).toEqual([
      { projectId: "p-interrupt", status: "failed", runId: row.id, error: "interrupted by SIGINT" },
    ]);

    sim.setBehaviour({ latencyMs: 0 });
    const again = await cli(["sync", "--full", "--json"], { METASTUDIO_PROJECT_IDS: "p-interrupt" }).done;
    expect(again.code, again.stderr).toBe(0);
    const [summary] = JSON.parse(again.stdout) as Array<{ status: string; resumedFrom: string }>;
    expect(summary).toMatchObject({ status: "succeeded", resumedFrom: row.id });
    expect(await storedRooms("p-interrupt")).toBe(3000);
  });

  it("prints a failed run as one message in pretty mode, and lists it with its run ID in --json", async () => {
    const env = { METASTUDIO_PROJECT_IDS: "p-refused", METASTUDIO_AUTH_TOKEN: "not-the-token" };
    const pretty = await cli(["sync", "--json"], { ...env, LOG_FORMAT: "pretty" }).done;
    expect(pretty.code).toBe(1);
    const row = (await latestRun("p-refused"))!;
    expect(row.status).toBe("failed");
    expect(JSON.parse(pretty.stdout)).toEqual([
      { projectId: "p-refused", status: "failed", runId: row.id, error: row.error },
    ]);
    // No log record with a stack before the summary: the error is said once, by the command.
    expect(pretty.stderr).not.toContain("sync run failed");
    expect(pretty.stderr).not.toMatch(/^\s+at /m);
    expect(pretty.stderr).not.toContain('{"level"');
    // The records it does print are lines for people.
    expect(pretty.stderr).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: sync run started \{"project_id":"p-refused"/m);
    expect(pretty.stderr.split(row.error!).length - 1).toBe(1);

    // Not on a terminal and not asked otherwise, logs stay JSON lines for machines.
    const json = await cli(["sync"], env).done;
    expect(json.code).toBe(1);
    const records = json.stderr
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { msg: string });
    expect(records.map((r) => r.msg)).toContain("sync run failed");
  });

  it("names DATABASE_URL, without its password, when Postgres cannot be reached", async () => {
    const { code, stderr } = await cli(["sync"], {
      METASTUDIO_PROJECT_IDS: "p-refused",
      DATABASE_URL: "postgres://mirror:s3cret-pw@127.0.0.1:1/mirror",
    }).done;
    expect(code).toBe(1);
    expect(stderr).toContain("DATABASE_URL (postgres://mirror:***@127.0.0.1:1/mirror)");
    expect(stderr).not.toContain("s3cret-pw");
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it("exits 2 naming DATABASE_URL when its database does not exist, as for a refused user", async () => {
    const url = new URL(database.url);
    url.pathname = "/no_such_mirror_db";
    const { code, stderr } = await cli(["sync"], {
      METASTUDIO_PROJECT_IDS: "p-refused",
      DATABASE_URL: url.href,
    }).done;
    expect(code).toBe(2);
    expect(stderr).toMatch(/The database named in DATABASE_URL \(.*no_such_mirror_db\) does not exist\./);
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it("refuses --allow-mass-delete without --full, as resync does", async () => {
    const { code, stderr } = await cli(["sync", "--allow-mass-delete"], {
      METASTUDIO_PROJECT_IDS: "p-refused",
    }).done;
    expect(code).toBe(2);
    expect(stderr).toContain("--allow-mass-delete only applies with --full");
  });

  it("refuses an unknown LOG_FORMAT naming the variable", async () => {
    const { code, stderr } = await cli(["sync"], { METASTUDIO_PROJECT_IDS: "p-refused", LOG_FORMAT: "xml" })
      .done;
    expect(code).toBe(2);
    expect(stderr).toContain("LOG_FORMAT must be json or pretty");
  });
});

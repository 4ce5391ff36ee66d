import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { loadConfig } from "../../src/config/config.js";
import { syncRuns } from "../../src/db/schema.js";
import { createLogger } from "../../src/logger.js";
import { startSimulator, type Simulator } from "../../src/simulator/simulator.js";
import { runSync } from "../../src/sync/run-sync.js";
import { openSyncRuntime } from "../../src/runtime/sync-runtime.js";
import { useTestDatabase } from "../support/use-test-database.js";

/** The run budget a user configures reaches every run the runtime starts, CLI and worker alike. */
const TOKEN = "runtime-token";
const database = useTestDatabase();
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({
    projectIds: ["p-budget", "p-roomy"],
    roomsPerProject: 300,
    credentials: { accessKeys: {}, tokens: [TOKEN], iamUsers: [] },
  });
});
afterAll(async () => {
  await sim?.close();
});

function runtimeFor(projectId: string, extra: Record<string, string>) {
  const config = loadConfig({
    METASTUDIO_ENDPOINT: sim.url,
    METASTUDIO_PROJECT_IDS: projectId,
    METASTUDIO_AUTH_TOKEN: TOKEN,
    METASTUDIO_RATE_LIMIT: "1000",
    DATABASE_URL: database.url,
    ...extra,
  });
  return openSyncRuntime(config, createLogger("silent"));
}

describe("the run budget from SYNC_RUN_*", () => {
  it("stops a run against a lying count at the configured requests, naming the variables", async () => {
    sim.hostile.always("list", { kind: "page", body: { count: 4000, smart_chat_rooms: [] } });
    const runtime = await runtimeFor("p-budget", {
      SYNC_RUN_REQUESTS: "30",
      SYNC_RUN_REQUESTS_PER_PAGE: "1",
    });
    try {
      const error = await runSync(runtime.deps(), {
        projectId: "p-budget",
        mode: "full",
        trigger: "cli",
      }).catch((e: unknown) => e);
      // 30 + 1 per page of 4000 rooms; the default budget would allow 900.
      expect((error as Error).message).toMatch(
        /more than the 70 allowed .* raise SYNC_RUN_REQUESTS or SYNC_RUN_REQUESTS_PER_PAGE/,
      );
      const [row] = await database.db.select().from(syncRuns).where(eq(syncRuns.projectId, "p-budget"));
      expect(row?.status).toBe("failed");
      expect(row?.requests).toBeLessThan(80);
    } finally {
      sim.hostile.clear();
      await runtime.close();
    }
  });

  it("a budget too small for a real upstream fails its run; the default lets it through", async () => {
    const tight = await runtimeFor("p-roomy", { SYNC_RUN_REQUESTS: "2", SYNC_RUN_REQUESTS_PER_PAGE: "0" });
    try {
      const job = { projectId: "p-roomy", mode: "full", trigger: "cli" } as const;
      await expect(runSync(tight.deps(), job)).rejects.toThrow(/more than the 2 allowed/);
    } finally {
      await tight.close();
    }
    const roomy = await runtimeFor("p-roomy", {});
    try {
      const summary = await runSync(roomy.deps(), { projectId: "p-roomy", mode: "full", trigger: "cli" });
      expect(summary.status).toBe("succeeded");
    } finally {
      await roomy.close();
    }
  });
});

import { eq } from "drizzle-orm";
import { expect } from "vitest";

import type { MetaStudioConfig } from "../../src/config/config.js";
import type { Database } from "../../src/db/database.js";
import { smartChatRooms } from "../../src/db/schema.js";
import { createLogger, type Logger } from "../../src/logger.js";
import { MetaStudioClient } from "../../src/metastudio/metastudio-client.js";
import { compareMirror } from "../../src/sync/compare-mirror.js";
import { runSync, type SyncJob, type SyncSettings } from "../../src/sync/run-sync.js";
import { startSimulator, type Simulator, type SimulatorOptions } from "../../src/simulator/simulator.js";
import { simulatorClientConfig } from "../../src/simulator/simulator-client-config.js";

export const TOKEN = "harness-token";

export interface Harness {
  sim: Simulator;
  client: MetaStudioClient;
  logger: Logger;
  settings: SyncSettings;
  run: (
    projectId: string,
    job?: Partial<SyncJob>,
    settings?: Partial<SyncSettings>,
  ) => ReturnType<typeof runSync>;
  close: () => Promise<void>;
}

/** A simulator over real HTTP and a client for it, syncing into `database`. */
export async function startHarness(
  database: Database,
  options: Partial<SimulatorOptions> & { projectIds: string[]; client?: Partial<MetaStudioConfig> },
): Promise<Harness> {
  const sim = await startSimulator({
    credentials: { accessKeys: {}, tokens: [TOKEN], iamUsers: [] },
    ...options,
  });
  const logger = createLogger("silent");
  const client = new MetaStudioClient({
    config: simulatorClientConfig(sim.url, options.projectIds, TOKEN, options.client),
    logger,
    baseDelayMs: 2,
    maxDelayMs: 20,
  });
  const settings: SyncSettings = { lookbackSeconds: 3600, massDeleteThreshold: 0.2, pageConcurrency: 4 };
  return {
    sim,
    client,
    logger,
    settings,
    run: (projectId, job = {}, extra = {}) =>
      runSync(
        { database, client, logger, settings: { ...settings, ...extra } },
        { projectId, mode: "full", trigger: "cli", ...job },
      ),
    close: async () => {
      await client.close();
      await sim.close();
    },
  };
}

/** The mirror's live rooms of a project, keyed by room ID. */
export async function liveRooms(database: Database, projectId: string) {
  const rows = await database.db.select().from(smartChatRooms).where(eq(smartChatRooms.projectId, projectId));
  return new Map(rows.filter((r) => r.deletedAt === null).map((r) => [r.roomId, r]));
}

/**
 * Asserts the mirror holds exactly the upstream's rooms: the same set of live rooms, every
 * typed column, the raw item as received, and the voice configs in order (see compareMirror).
 */
export async function expectExactMirror(
  database: Database,
  sim: Simulator,
  projectId: string,
): Promise<void> {
  expect(await compareMirror(database.db, projectId, sim.rooms(projectId))).toEqual([]);
}

import { expect } from "vitest";

import type { Database } from "../../src/db/database.js";
import type { MetaStudioClient } from "../../src/metastudio/metastudio-client.js";
import { runSync } from "../../src/sync/run-sync.js";
import type { Harness } from "./sync-harness.js";

type List = MetaStudioClient["listSmartChatRooms"];

/**
 * A full run of `projectId` whose `failingRequest`-th list request (from 1) fails as an
 * unreachable upstream would, one request at a time so the windows before it are recorded
 * complete: the failed run a later full run resumes.
 */
export async function failFullRunAt(
  h: Harness,
  database: Database,
  projectId: string,
  failingRequest: number,
): Promise<void> {
  let requests = 0;
  const listSmartChatRooms: List = (query, options) => {
    requests += 1;
    if (requests === failingRequest) throw new Error("upstream unreachable (simulated)");
    return h.client.listSmartChatRooms(query, options);
  };
  await expect(
    runSync(
      {
        database,
        client: { listSmartChatRooms },
        logger: h.logger,
        settings: { ...h.settings, pageConcurrency: 1 },
      },
      { projectId, mode: "full", trigger: "cli" },
    ),
  ).rejects.toThrow(/unreachable/);
}

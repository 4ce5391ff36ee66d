import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { HonoAdapter } from "@bull-board/hono";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Queue } from "bullmq";
import type { Hono } from "hono";

import type { SyncJobData } from "../queue/sync-queue.js";

type BoardServerAdapter = Parameters<typeof createBullBoard>[0]["serverAdapter"];

/** Where the board lives; its pages, API and static assets are all below it. */
export const QUEUE_BOARD_PATH = "/admin/queues";

/**
 * The Bull Board UI for the sync queue, to mount at {@link QUEUE_BOARD_PATH} behind the admin token.
 * Job data holds no credential (see SyncJobData), so showing it is safe.
 */
export function queueBoard(queue: Queue<SyncJobData>): Hono {
  const serverAdapter = new HonoAdapter(serveStatic);
  createBullBoard({
    queues: [new BullMQAdapter(queue, { displayName: "metastudio-sync" })],
    // @bull-board/hono pins its own copy of @bull-board/api, one patch behind ours; the two
    // IServerAdapter types differ only by a private field, so the cast is safe at runtime.
    serverAdapter: serverAdapter as unknown as BoardServerAdapter,
    options: { uiConfig: { boardTitle: "metastudio-sync" } },
  });
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  return serverAdapter.registerPlugin();
}

import type { Queue } from "bullmq";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";

import type { enqueueSync } from "../queue/enqueue-sync.js";
import type { SyncJobData } from "../queue/sync-queue.js";
import { logRequests } from "./log-requests.js";
import { type ProbeRoutesOptions, registerProbeRoutes } from "./probe-routes.js";
import { QUEUE_BOARD_PATH, queueBoard } from "./queue-board.js";
import { requireToken } from "./require-token.js";
import { resyncRoute } from "./resync-route.js";
import { sameOriginOnly } from "./same-origin-only.js";

export interface AdminAppOptions extends ProbeRoutesOptions {
  /** `ADMIN_TOKEN`: required by `POST /resync` and the board; without it they answer 403. */
  token: string | undefined;
  queue: Queue<SyncJobData>;
  /** The configured projects, the only ones `POST /resync` accepts. */
  projectIds: readonly string[];
  /** @default enqueueSync */
  enqueue?: typeof enqueueSync;
  /** How long `POST /resync` waits for Redis to take a job before answering 503. @default 10000 */
  enqueueTimeoutMs?: number;
}

/**
 * The admin routes. Probes and metrics are open, as orchestrators and Prometheus expect; what acts
 * on the queue needs the token. Headers are never logged, so the token cannot reach a log line.
 */
export function createAdminApp(options: AdminAppOptions): Hono {
  const { logger, token } = options;
  const app = new Hono();
  app.use(logRequests(logger));
  registerProbeRoutes(app, options);

  // Bearer only: a browser replays Basic credentials by itself, so a page on another site could
  // otherwise make a logged-in browser trigger resyncs.
  app.use("/resync/*", requireToken({ token }));
  app.route("/resync", resyncRoute(options));

  // The board is for browsers, hence Basic auth; its own API changes jobs (retry, clean, pause),
  // so requests another site's page sends are refused.
  // Not framable either: a page framing it could trick a logged-in user into clicking its buttons.
  app.use(
    `${QUEUE_BOARD_PATH}/*`,
    secureHeaders({ xFrameOptions: "DENY", contentSecurityPolicy: { frameAncestors: ["'none'"] } }),
    requireToken({ token, basic: true }),
    sameOriginOnly(),
  );
  app.route(QUEUE_BOARD_PATH, queueBoard(options.queue));

  app.notFound((c) => c.json({ error: "Not found" }, 404));
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    logger.error({ err: error, method: c.req.method, path: c.req.path }, "admin request failed");
    return c.json({ error: "Internal error" }, 500);
  });
  return app;
}

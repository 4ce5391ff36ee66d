import type { Hono } from "hono";
import type { Redis } from "ioredis";

import type { Database } from "../db/database.js";
import type { Logger } from "../logger.js";
import { createReadinessCheck } from "./readiness-check.js";
import type { SyncMetrics } from "./sync-metrics.js";

/** What the open routes read: the stores readiness checks, and the metrics they serve. */
export interface ProbeRoutesOptions {
  database: Database;
  redis: Redis;
  metrics: SyncMetrics;
  logger: Logger;
  /** Deadline of each readiness check. @default 2000 */
  readinessTimeoutMs?: number;
}

/**
 * `GET /healthz`, `/readyz` and `/metrics` on `app`. Open to all: orchestrators and Prometheus
 * call them without credentials.
 */
export function registerProbeRoutes(app: Hono, options: ProbeRoutesOptions): void {
  const { logger, metrics } = options;
  const readiness = createReadinessCheck({
    database: options.database,
    redis: options.redis,
    timeoutMs: options.readinessTimeoutMs,
  });
  let wasReady = true;

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    const result = await readiness();
    // Probes come every few seconds: log the changes, not every answer.
    if (result.ready !== wasReady) {
      if (result.ready) logger.info("ready");
      else logger.warn({ checks: result.checks }, "not ready");
      wasReady = result.ready;
    }
    c.header("Cache-Control", "no-store");
    return c.json(
      { status: result.ready ? "ready" : "not ready", checks: result.checks },
      result.ready ? 200 : 503,
    );
  });
  app.get("/metrics", async (c) => {
    const text = await metrics.registry.metrics();
    return c.body(text, 200, { "Content-Type": metrics.registry.contentType });
  });
}

import type { Queue } from "bullmq";
import { Registry, collectDefaultMetrics } from "prom-client";

import type { HousekeepingRecorder } from "../housekeeping/run-housekeeping.js";
import type { SyncJobData } from "../queue/sync-queue.js";
import { createHousekeepingMetrics } from "./housekeeping-metrics.js";
import { registerQueueGauge } from "./queue-gauge.js";
import { createRunMetrics, type RunRecorder } from "./run-metrics.js";
import { createUpstreamMetrics, type UpstreamRecorder } from "./upstream-metrics.js";

export interface SyncMetricsOptions {
  /** Reports its job counts at each scrape. @default no queue gauge */
  queue?: Queue<SyncJobData>;
  /**
   * How long a scrape waits for the queue's job counts before it reports without them, so a
   * Redis outage cannot make the scrape itself time out.
   * @default 2000
   */
  queueTimeoutMs?: number;
}

/** What the worker reports to Prometheus; one per process, scraped at `GET /metrics`. */
export interface SyncMetrics extends UpstreamRecorder, RunRecorder, HousekeepingRecorder {
  /** This process's own registry, not prom-client's global one, with the default process metrics. */
  registry: Registry;
}

/**
 * Builds the process's metrics. Each group registers its metrics as it is built, and a scrape
 * lists them in that order: upstream requests, runs, the queue, housekeeping.
 */
export function createSyncMetrics(options: SyncMetricsOptions = {}): SyncMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const upstream = createUpstreamMetrics(registry);
  const runs = createRunMetrics(registry);
  if (options.queue) registerQueueGauge(options.queue, registry, options.queueTimeoutMs ?? 2000);
  const housekeeping = createHousekeepingMetrics(registry);
  return { registry, ...housekeeping, ...upstream, ...runs };
}

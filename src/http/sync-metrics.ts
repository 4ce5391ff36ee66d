import type { Queue } from "bullmq";
import { Registry, collectDefaultMetrics } from "prom-client";

import type { RunMode } from "../vocabulary.js";
import type { HousekeepingRecorder } from "../housekeeping/run-housekeeping.js";
import type { RequestRecord } from "../metastudio/metastudio-client.js";
import type { SyncJobData } from "../queue/sync-queue.js";
import type { RunSummary } from "../sync/run-summary.js";
import { createHousekeepingMetrics } from "./housekeeping-metrics.js";
import { registerQueueGauge } from "./queue-gauge.js";
import { createRunMetrics } from "./run-metrics.js";
import { createUpstreamMetrics } from "./upstream-metrics.js";

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
export interface SyncMetrics extends HousekeepingRecorder {
  /** This process's own registry, not prom-client's global one, with the default process metrics. */
  registry: Registry;
  /** One upstream attempt, failed ones and retries included. */
  recordRequest(record: RequestRecord): void;
  /** A run that ended with a summary, succeeded or failed. Dry runs change nothing and are skipped. */
  recordRun(summary: RunSummary): void;
  /** A run that threw before it could summarize itself. */
  recordRunFailure(projectId: string, mode: RunMode, durationMs: number): void;
  /** The upstream clock's offset from ours a run measured (SyncDeps.onClockOffset). */
  recordClockOffset(projectId: string, offsetSeconds: number): void;
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

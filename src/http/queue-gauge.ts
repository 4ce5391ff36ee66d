import type { Queue } from "bullmq";
import { Counter, Gauge, type Registry } from "prom-client";

import type { SyncJobData } from "../queue/sync-queue.js";
import { METRIC_PREFIX } from "./metric-prefix.js";
import { withTimeout } from "./with-timeout.js";

/** The states `getJobCounts` reports under the names the gauge uses; prioritized jobs are waiting too. */
const QUEUE_STATES = {
  waiting: ["wait", "prioritized"],
  active: ["active"],
  delayed: ["delayed"],
  failed: ["failed"],
} as const;

/**
 * Job counts read from Redis at scrape time rather than tracked in process: every worker and
 * `resync` share the queue, so only Redis knows its depth.
 */
export function registerQueueGauge(queue: Queue<SyncJobData>, registry: Registry, timeoutMs: number): void {
  const errors = new Counter({
    name: `${METRIC_PREFIX}queue_scrape_errors_total`,
    help: "Scrapes that could not read the queue's job counts from Redis in time.",
    registers: [registry],
    async collect() {
      await readCounts();
    },
  });
  // prom-client collects all metrics of a scrape at once: the gauge and the error counter share
  // one read, so the counter already shows the failure of the scrape it is part of.
  let inFlight: Promise<Record<string, number> | undefined> | undefined;
  const readCounts = () =>
    (inFlight ??= withTimeout(
      queue.getJobCounts(...Object.values(QUEUE_STATES).flat()),
      timeoutMs,
      "reading the queue's job counts",
    )
      .catch(() => {
        errors.inc();
        return undefined;
      })
      .finally(() => {
        inFlight = undefined;
      }));

  new Gauge({
    name: `${METRIC_PREFIX}queue_jobs`,
    help: "Jobs in the sync queue by state (waiting, active, delayed, failed).",
    labelNames: ["state"] as const,
    registers: [registry],
    async collect() {
      const counts = await readCounts();
      // No stale depth: a scrape that cannot read Redis reports no series rather than old ones.
      this.reset();
      if (counts === undefined) return;
      for (const [state, names] of Object.entries(QUEUE_STATES)) {
        this.set(
          { state },
          names.reduce((sum, name) => sum + (counts[name] ?? 0), 0),
        );
      }
    },
  });
}

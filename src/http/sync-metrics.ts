import type { Queue } from "bullmq";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

import type { RunMode } from "../vocabulary.js";
import type { HousekeepingRecorder } from "../housekeeping/run-housekeeping.js";
import type { RequestRecord } from "../metastudio/metastudio-client.js";
import type { SyncJobData } from "../queue/sync-queue.js";
import type { RunSummary } from "../sync/run-summary.js";
import { withTimeout } from "./with-timeout.js";

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

const PREFIX = "metastudio_sync_";
/** The states `getJobCounts` reports under the names the gauge uses; prioritized jobs are waiting too. */
const QUEUE_STATES = {
  waiting: ["wait", "prioritized"],
  active: ["active"],
  delayed: ["delayed"],
  failed: ["failed"],
} as const;

export function createSyncMetrics(options: SyncMetricsOptions = {}): SyncMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const requests = new Counter({
    name: `${PREFIX}upstream_requests_total`,
    help: 'MetaStudio HTTP attempts by project and status ("none" when no response came), retries included.',
    labelNames: ["account", "project_id", "status"] as const,
    registers,
  });
  const requestDuration = new Histogram({
    name: `${PREFIX}upstream_request_duration_seconds`,
    help: "Duration of one MetaStudio HTTP attempt, connect to last byte.",
    labelNames: ["account", "project_id"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const retries = new Counter({
    name: `${PREFIX}upstream_retries_total`,
    help: "MetaStudio HTTP attempts that were a retry (attempt > 1).",
    labelNames: ["account", "project_id"] as const,
    registers,
  });
  const throttled = new Counter({
    name: `${PREFIX}upstream_throttled_total`,
    help: "MetaStudio answers with status 429 (throttled).",
    labelNames: ["account", "project_id"] as const,
    registers,
  });
  const runs = new Counter({
    name: `${PREFIX}runs_total`,
    help: "Sync runs by project, mode and outcome (succeeded or failed).",
    labelNames: ["project_id", "mode", "outcome"] as const,
    registers,
  });
  const runDuration = new Histogram({
    name: `${PREFIX}run_duration_seconds`,
    help: "Duration of one sync run, lock wait included.",
    labelNames: ["project_id", "mode", "outcome"] as const,
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200],
    registers,
  });
  const roomCounter = (change: string) =>
    new Counter({
      name: `${PREFIX}rooms_${change}_total`,
      help: `Rooms ${change} in the mirror by sync runs.`,
      labelNames: ["project_id"] as const,
      registers,
    });
  const inserted = roomCounter("inserted");
  const updated = roomCounter("updated");
  const deleted = roomCounter("deleted");
  const lastSuccess = new Gauge({
    name: `${PREFIX}last_success_timestamp_seconds`,
    help: "Unix time at which the last successful run of a project and mode ended.",
    labelNames: ["project_id", "mode"] as const,
    registers,
  });
  const clockOffset = new Gauge({
    name: `${PREFIX}upstream_clock_offset_seconds`,
    help: "How far the upstream's clock runs ahead of ours (negative: behind), as the last run of a project measured it.",
    labelNames: ["project_id"] as const,
    registers,
  });
  if (options.queue) registerQueueGauge(options.queue, registry, options.queueTimeoutMs ?? 2000);

  const recordRunOutcome = (projectId: string, mode: RunMode, outcome: string, durationMs: number) => {
    runs.inc({ project_id: projectId, mode, outcome });
    runDuration.observe({ project_id: projectId, mode, outcome }, durationMs / 1000);
  };

  const pruned = new Counter({
    name: `${PREFIX}housekeeping_pruned_rows_total`,
    help: "Rows deleted by housekeeping, by table (scratch: sync_seen_batches and sync_run_windows).",
    labelNames: ["table"] as const,
    registers,
  });
  const housekeeping = new Counter({
    name: `${PREFIX}housekeeping_passes_total`,
    help: "Housekeeping passes by outcome (skipped: another replica was pruning).",
    labelNames: ["outcome"] as const,
    registers,
  });
  const housekeepingDuration = new Histogram({
    name: `${PREFIX}housekeeping_duration_seconds`,
    help: "Duration of one housekeeping pass.",
    buckets: [0.1, 1, 10, 60, 300, 1800],
    registers,
  });

  return {
    registry,
    recordPruned(table, rows) {
      pruned.inc({ table }, rows);
    },
    recordHousekeeping(outcome, durationMs) {
      housekeeping.inc({ outcome });
      housekeepingDuration.observe(durationMs / 1000);
    },
    recordRequest(record) {
      const project = { account: record.account, project_id: record.projectId };
      requests.inc({ ...project, status: record.status === undefined ? "none" : String(record.status) });
      requestDuration.observe(project, record.durationMs / 1000);
      if (record.attempt > 1) retries.inc(project);
      if (record.status === 429) throttled.inc(project);
    },
    recordRun(summary) {
      if (summary.dryRun) return;
      const { projectId, mode, counts } = summary;
      recordRunOutcome(projectId, mode, summary.status, summary.durationMs);
      // A failed run still committed the batches it wrote, so its rooms count too.
      inserted.inc({ project_id: projectId }, counts.roomsInserted);
      updated.inc({ project_id: projectId }, counts.roomsUpdated);
      deleted.inc({ project_id: projectId }, counts.roomsDeleted);
      if (summary.status === "succeeded") lastSuccess.set({ project_id: projectId, mode }, Date.now() / 1000);
    },
    recordRunFailure(projectId, mode, durationMs) {
      recordRunOutcome(projectId, mode, "failed", durationMs);
    },
    recordClockOffset(projectId, offsetSeconds) {
      clockOffset.set({ project_id: projectId }, offsetSeconds);
    },
  };
}

/**
 * Job counts read from Redis at scrape time rather than tracked in process: every worker and
 * `resync` share the queue, so only Redis knows its depth.
 */
function registerQueueGauge(queue: Queue<SyncJobData>, registry: Registry, timeoutMs: number): void {
  const errors = new Counter({
    name: `${PREFIX}queue_scrape_errors_total`,
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
    name: `${PREFIX}queue_jobs`,
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

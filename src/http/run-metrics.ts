import { Counter, Gauge, Histogram, type Registry } from "prom-client";

import type { RunSummary } from "../sync/run-summary.js";
import type { RunMode } from "../vocabulary.js";
import { METRIC_PREFIX } from "./metric-prefix.js";

/** What the sync runs report. */
export interface RunRecorder {
  /** A run that ended with a summary, succeeded or failed. Dry runs change nothing and are skipped. */
  recordRun(summary: RunSummary): void;
  /** A run that threw before it could summarize itself. */
  recordRunFailure(projectId: string, mode: RunMode, durationMs: number): void;
  /** The upstream clock's offset from ours a run measured (SyncDeps.onClockOffset). */
  recordClockOffset(projectId: string, offsetSeconds: number): void;
}

/** What the sync runs report: their outcomes and durations, the rooms they changed, the upstream's clock. */
export function createRunMetrics(registry: Registry): RunRecorder {
  const { runs, runDuration, rooms, lastSuccess, clockOffset } = defineRunMetrics([registry]);
  const recordOutcome = (projectId: string, mode: RunMode, outcome: string, durationMs: number) => {
    runs.inc({ project_id: projectId, mode, outcome });
    runDuration.observe({ project_id: projectId, mode, outcome }, durationMs / 1000);
  };

  return {
    recordRun(summary) {
      if (summary.dryRun) return;
      const { projectId, mode, counts } = summary;
      recordOutcome(projectId, mode, summary.status, summary.durationMs);
      // A failed run still committed the batches it wrote, so its rooms count too.
      rooms.inserted.inc({ project_id: projectId }, counts.roomsInserted);
      rooms.updated.inc({ project_id: projectId }, counts.roomsUpdated);
      rooms.deleted.inc({ project_id: projectId }, counts.roomsDeleted);
      if (summary.status === "succeeded") lastSuccess.set({ project_id: projectId, mode }, Date.now() / 1000);
    },
    recordRunFailure(projectId, mode, durationMs) {
      recordOutcome(projectId, mode, "failed", durationMs);
    },
    recordClockOffset(projectId, offsetSeconds) {
      clockOffset.set({ project_id: projectId }, offsetSeconds);
    },
  };
}

function defineRunMetrics(registers: Registry[]) {
  const roomCounter = (change: string) =>
    new Counter({
      name: `${METRIC_PREFIX}rooms_${change}_total`,
      help: `Rooms ${change} in the mirror by sync runs.`,
      labelNames: ["project_id"] as const,
      registers,
    });
  return {
    runs: new Counter({
      name: `${METRIC_PREFIX}runs_total`,
      help: "Sync runs by project, mode and outcome (succeeded or failed).",
      labelNames: ["project_id", "mode", "outcome"] as const,
      registers,
    }),
    runDuration: new Histogram({
      name: `${METRIC_PREFIX}run_duration_seconds`,
      help: "Duration of one sync run, lock wait included.",
      labelNames: ["project_id", "mode", "outcome"] as const,
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200],
      registers,
    }),
    rooms: {
      inserted: roomCounter("inserted"),
      updated: roomCounter("updated"),
      deleted: roomCounter("deleted"),
    },
    lastSuccess: new Gauge({
      name: `${METRIC_PREFIX}last_success_timestamp_seconds`,
      help: "Unix time at which the last successful run of a project and mode ended.",
      labelNames: ["project_id", "mode"] as const,
      registers,
    }),
    clockOffset: new Gauge({
      name: `${METRIC_PREFIX}upstream_clock_offset_seconds`,
      help: "How far the upstream's clock runs ahead of ours (negative: behind), as the last run of a project measured it.",
      labelNames: ["project_id"] as const,
      registers,
    }),
  };
}

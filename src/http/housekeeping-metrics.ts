import { Counter, Histogram, type Registry } from "prom-client";

import type { HousekeepingRecorder } from "../housekeeping/run-housekeeping.js";
import { METRIC_PREFIX } from "./metric-prefix.js";

/** Housekeeping's passes, their durations and the rows they pruned. */
export function createHousekeepingMetrics(registry: Registry): HousekeepingRecorder {
  const registers = [registry];
  const pruned = new Counter({
    name: `${METRIC_PREFIX}housekeeping_pruned_rows_total`,
    help: "Rows deleted by housekeeping, by table (scratch: sync_seen_batches and sync_run_windows).",
    labelNames: ["table"] as const,
    registers,
  });
  const passes = new Counter({
    name: `${METRIC_PREFIX}housekeeping_passes_total`,
    help: "Housekeeping passes by outcome (skipped: another replica was pruning).",
    labelNames: ["outcome"] as const,
    registers,
  });
  const duration = new Histogram({
    name: `${METRIC_PREFIX}housekeeping_duration_seconds`,
    help: "Duration of one housekeeping pass.",
    buckets: [0.1, 1, 10, 60, 300, 1800],
    registers,
  });

  return {
    recordPruned(table, rows) {
      pruned.inc({ table }, rows);
    },
    recordHousekeeping(outcome, durationMs) {
      passes.inc({ outcome });
      duration.observe(durationMs / 1000);
    },
  };
}

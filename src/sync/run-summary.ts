import type { PlannedChange } from "../db/apply-room-batch.js";
import type { RunCounts } from "../db/sync-runs.js";
import type { WriterTotals } from "./room-writer.js";
import type { SyncJob } from "../vocabulary.js";

/** What a run did, for the CLI's summary, the worker's job result and the benchmarks. */
export interface RunSummary {
  runId: string;
  projectId: string;
  mode: SyncJob["mode"];
  trigger: SyncJob["trigger"];
  status: "succeeded" | "failed";
  dryRun: boolean;
  resumedFrom: string | null;
  /** The `sync_runs` columns. Restored rooms count as updated there. */
  counts: Required<RunCounts>;
  restored: number;
  roomRowsWritten: number;
  voiceRowsWritten: number;
  durationMs: number;
  /** Summed request durations (overlapping when pages run in parallel). */
  fetchMs: number;
  /** Decoding and validating response bodies, part of `fetchMs`. */
  validateMs: number;
  writeMs: number;
  /** A dry run's would-be changes (the first 50 of each kind), or a real run's first changes. */
  preview: PlannedChange[];
  error: string | null;
}

export function summarizeRun(input: {
  runId: string;
  job: SyncJob;
  status: RunSummary["status"];
  dryRun: boolean;
  resumedFrom: string | null;
  requests: number;
  roomsSeen: number;
  invalidItems: number;
  deleted: number;
  totals: WriterTotals;
  preview: PlannedChange[];
  durationMs: number;
  fetchMs: number;
  validateMs: number;
  error: string | null;
}): RunSummary {
  const t = input.totals;
  const updated = t.updated + t.restored;
  return {
    runId: input.runId,
    projectId: input.job.projectId,
    mode: input.job.mode,
    trigger: input.job.trigger,
    status: input.status,
    dryRun: input.dryRun,
    resumedFrom: input.resumedFrom,
    counts: {
      requests: input.requests,
      roomsSeen: input.roomsSeen,
      roomsInserted: t.inserted,
      roomsUpdated: updated,
      // Pages overlap and passes repeat, so "unchanged" is what is left of the distinct rooms seen.
      roomsUnchanged: Math.max(0, input.roomsSeen - t.inserted - updated),
      roomsDeleted: input.deleted,
      // Items the page check refused, and rooms the database refused one by one.
      itemsInvalid: input.invalidItems + t.skipped,
    },
    restored: t.restored,
    roomRowsWritten: t.roomRowsWritten,
    voiceRowsWritten: t.voiceRowsWritten,
    durationMs: input.durationMs,
    fetchMs: input.fetchMs,
    validateMs: input.validateMs,
    writeMs: t.writeMs,
    preview: input.preview,
    error: input.error,
  };
}

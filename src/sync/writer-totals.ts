import type { BatchResult } from "./apply-room-batch.js";

/** The run's sums of its batches' counts (BatchResult's), plus what only the writer knows. */
export interface WriterTotals extends Omit<BatchResult, "changes" | "before"> {
  writeMs: number;
  /** Rooms the database refused one by one after their batch failed: lost, and counted invalid. */
  skipped: number;
}

export function newWriterTotals(): WriterTotals {
  return {
    inserted: 0,
    updated: 0,
    restored: 0,
    unchanged: 0,
    roomRowsWritten: 0,
    voiceRowsWritten: 0,
    writeMs: 0,
    skipped: 0,
  };
}

/** Adds one batch's counts to the run's. */
export function addBatchResult(totals: WriterTotals, result: BatchResult): void {
  totals.inserted += result.inserted;
  totals.updated += result.updated;
  totals.restored += result.restored;
  totals.unchanged += result.unchanged;
  totals.roomRowsWritten += result.roomRowsWritten;
  totals.voiceRowsWritten += result.voiceRowsWritten;
}

import type { FilterField, RunMode } from "../db/schema.js";
import { ALL_TIME_START, toSeconds, type TimeWindow } from "./time-window.js";

export interface PlanInput {
  mode: RunMode;
  now: Date;
  /** Up to where the last successful run mirrored everything; null before the first. */
  watermark: Date | null;
  /** What the time filter was observed to apply to; null while unknown (assumed update_time). */
  filterField: FilterField | null;
  lookbackSeconds: number;
  /** How far the upstream's clock may run behind ours. */
  clockSkewSeconds: number;
}

export interface RunPlan {
  /** Read in order; all end in the past, the last at the run's start. */
  windows: TimeWindow[];
  /** The watermark a success moves to: the end of the settled windows. */
  settledUntil: Date;
  /** Only a full run sees the whole list, so only a full run may conclude a room is gone. */
  findsDeletions: boolean;
}

/**
 * What one run reads: settled windows up to `clockSkewSeconds` before the run started, then a
 * tail up to the second it started. Every window ends in the past, so rooms changed during the
 * run move out of them rather than in (the premise of WindowTally); those are read by the next
 * run, whose lookback covers the tail again, which also covers an upstream clock running behind.
 *
 * An incremental run narrows to [watermark - lookback, now] only when the filter is known (or
 * assumed) to apply to `update_time`: filtered on `create_time`, a narrow window would never see
 * an old room's update, and ignored, a window means nothing; those read everything.
 */
export function planRun(input: PlanInput): RunPlan {
  const settled = toSeconds(input.now) - input.clockSkewSeconds;
  const settledUntil = new Date(settled * 1000);
  const findsDeletions = input.mode === "full";
  if (input.filterField === "ignored") {
    return { windows: [{ start: null, end: null }], settledUntil, findsDeletions };
  }
  const narrow =
    input.mode === "incremental" && input.watermark !== null && input.filterField !== "create_time";
  const start = narrow
    ? Math.max(ALL_TIME_START, Math.min(toSeconds(input.watermark!), settled) - input.lookbackSeconds)
    : ALL_TIME_START;
  return {
    windows: [
      { start, end: settled },
      { start: settled, end: toSeconds(input.now) },
    ],
    settledUntil,
    findsDeletions,
  };
}

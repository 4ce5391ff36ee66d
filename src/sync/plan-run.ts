import type { FilterField, RunMode } from "../vocabulary.js";
import { cutWindow } from "./plan-windows.js";
import { ALL_TIME_START, toSeconds, type TimeWindow } from "./time-window.js";

export interface PlanInput {
  mode: RunMode;
  now: Date;
  /** Up to where the last successful run mirrored everything; null before the first. */
  watermark: Date | null;
  /** What the time filter was observed to apply to; null while unknown (assumed update_time). */
  filterField: FilterField | null;
  lookbackSeconds: number;
  /** How far the upstream's clock may be off ours. */
  clockSkewSeconds: number;
  /** Seconds at which to cut the settled span, from the mirror's rooms (see roomTimeCuts). */
  cuts?: readonly number[];
}

export interface RunPlan {
  /** Closed windows, all ending `clockSkewSeconds` before the run started; read first. */
  windows: TimeWindow[];
  /**
   * The open-ended window (no `end_time`), read once every settled window is complete: what the
   * upstream stamped after the settled span, however far ahead of ours its clock runs. It is the
   * run's closing read, and may start earlier than planned if the upstream turns out behind us.
   */
  tail: TimeWindow;
  /** The end of the settled windows. */
  settledUntil: Date;
  /** Only a full run sees the whole list, so only a full run may conclude a room is gone. */
  findsDeletions: boolean;
}

/**
 * What one run reads: settled windows up to `clockSkewSeconds` before the run started, then an
 * open tail. No window ends at our clock, so a room stamped by an upstream clock ahead of ours
 * is never outside every window. Settled windows end in the past by the upstream's clock too
 * (within the tolerance), so rooms changed during the run move out of them, into the tail, rather
 * than in (the premise of WindowTally); the tail, read last, sees them at their new place.
 *
 * An incremental run narrows to [watermark - lookback, ...] only when the filter is known (or
 * assumed) to apply to `update_time`: filtered on `create_time`, a narrow window would never see
 * an old room's update, and ignored, a window means nothing; those read everything.
 */
export function planRun(input: PlanInput): RunPlan {
  const settled = toSeconds(input.now) - input.clockSkewSeconds;
  const settledUntil = new Date(settled * 1000);
  const findsDeletions = input.mode === "full";
  if (input.filterField === "ignored") {
    return { windows: [], tail: { start: null, end: null }, settledUntil, findsDeletions };
  }
  const narrow =
    input.mode === "incremental" && input.watermark !== null && input.filterField !== "create_time";
  const start = narrow
    ? Math.max(ALL_TIME_START, Math.min(toSeconds(input.watermark!), settled) - input.lookbackSeconds)
    : ALL_TIME_START;
  return {
    windows: cutWindow({ start, end: settled }, input.cuts ?? []),
    tail: { start: settled, end: null },
    settledUntil,
    findsDeletions,
  };
}

import type { RunProgress } from "../sync/run-sync.js";

/** The total a run's progress is measured against, and whether it is still extrapolated. */
export interface ProgressTotal {
  rooms: number;
  /** Not every planned window has reported its count yet: the total is extrapolated from those that have. */
  estimated: boolean;
}

/**
 * The upstream's reported total: the sum of each window's `count` once all have reported, until
 * then scaled up from the windows that have (a full run's windows are planned to hold alike
 * numbers of rooms). Null before the first count arrives.
 */
export function progressTotal(progress: RunProgress): ProgressTotal | null {
  const reported = progress.reported ?? 0;
  const windowsReported = progress.windowsReported ?? 0;
  const windowsPlanned = progress.windowsPlanned ?? 0;
  if (windowsReported === 0) return null;
  if (windowsReported >= windowsPlanned) return { rooms: reported, estimated: false };
  return { rooms: Math.round((reported / windowsReported) * windowsPlanned), estimated: true };
}

const number = new Intl.NumberFormat("en-US");

/**
 * One line of progress for one project's run, `elapsedMs` after it started:
 * `proj: 1,200 of ~5,000 rooms (24%), 400 rooms/s, ETA 10s`. Pure, so it is tested as text.
 */
export function formatProgress(progress: RunProgress, elapsedMs: number): string {
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? progress.rooms / seconds : 0;
  const total = progressTotal(progress);
  const parts: string[] = [];
  if (total === null) {
    parts.push(`${number.format(progress.rooms)} rooms`);
  } else {
    // Passes repeat and the closing read adds what changed meanwhile: never show more than 100%.
    const share = total.rooms > 0 ? Math.min(100, Math.floor((progress.rooms / total.rooms) * 100)) : 100;
    parts.push(
      `${number.format(progress.rooms)} of ${total.estimated ? "~" : ""}${number.format(total.rooms)} rooms (${share}%)`,
    );
  }
  parts.push(`${number.format(Math.round(rate))} rooms/s`);
  if (total !== null && rate > 0 && progress.rooms < total.rooms) {
    parts.push(`ETA ${formatEta((total.rooms - progress.rooms) / rate)}`);
  }
  return `${progress.projectId}: ${parts.join(", ")}`;
}

/** `45s`, `3m 05s`, `2h 07m`: precise enough for a wait, short enough for one line. */
export function formatEta(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  const minutes = Math.floor(s / 60);
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, "0")}m`;
}

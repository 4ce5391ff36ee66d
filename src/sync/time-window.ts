/**
 * A `start_time`/`end_time` window in whole seconds since the epoch. The upstream's timestamps
 * have second precision, so one second is the narrowest window there is.
 * `end` null means open-ended (no `end_time` sent); `start` null means no `start_time` either,
 * which is how a project whose upstream ignores the filter is read.
 */
export interface TimeWindow {
  start: number | null;
  end: number | null;
}

/** Since the epoch: the default start of a full run. */
export const ALL_TIME_START = 0;

export function toSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** RFC 3339 in UTC at second precision, the form the API documents: `2021-01-10T08:43:17Z`. */
export function formatRfc3339(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function windowParams(window: TimeWindow): { startTime?: string; endTime?: string } {
  return {
    ...(window.start === null ? {} : { startTime: formatRfc3339(window.start) }),
    ...(window.end === null ? {} : { endTime: formatRfc3339(window.end) }),
  };
}

export function describeWindow(window: TimeWindow): string {
  const start = window.start === null ? "-∞" : formatRfc3339(window.start);
  const end = window.end === null ? "now" : formatRfc3339(window.end);
  return `[${start}, ${end}]`;
}

/**
 * Cuts a closed window into `parts` of (nearly) equal width, two by default. Neighbours share
 * their boundary second: the upstream may treat `end_time` as inclusive or exclusive, and
 * overlapping by one second loses nothing either way (rooms seen twice are deduplicated). Fewer
 * parts when the window is narrower than `parts` seconds; null when it is one second wide or open.
 */
export function splitWindow(window: TimeWindow, parts = 2): TimeWindow[] | null {
  if (window.start === null || window.end === null || window.end - window.start < 2) return null;
  const { start, end } = window;
  const count = Math.min(parts, end - start);
  const bounds = Array.from({ length: count + 1 }, (_, i) => start + Math.floor(((end - start) * i) / count));
  return bounds.slice(1).map((bound, i) => ({ start: bounds[i]!, end: bound }));
}

/**
 * What is left of `window` once the `covered` windows (those a failed run completed) are taken
 * out: the gaps between them, each reaching one second into its neighbours, as split windows do.
 */
export function uncoveredWindows(window: TimeWindow, covered: readonly TimeWindow[]): TimeWindow[] {
  if (window.start === null || window.end === null) return [window];
  const spans = covered
    .filter((w): w is { start: number; end: number } => w.start !== null && w.end !== null)
    .sort((a, b) => a.start - b.start);
  const gaps: TimeWindow[] = [];
  let cursor = window.start;
  for (const span of spans) {
    if (span.end <= cursor || span.start >= window.end) continue;
    if (span.start > cursor) gaps.push({ start: cursor, end: span.start });
    cursor = Math.max(cursor, span.end);
  }
  if (cursor < window.end) gaps.push({ start: cursor, end: window.end });
  return gaps;
}

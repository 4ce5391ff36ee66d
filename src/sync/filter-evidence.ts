import type { FilterField } from "../vocabulary.js";
import { isPlainUtcSecond } from "./plain-utc-second.js";
import { formatRfc3339, type TimeWindow } from "./time-window.js";

/** One second either side: boundary seconds may be inclusive or exclusive upstream. */
const SLACK_SECONDS = 1;

export interface TimedItem {
  update_time?: string | null | undefined;
  create_time?: string | null | undefined;
}

/**
 * What the rooms a window returned say about the field `start_time`/`end_time` filter on, which
 * the API does not document. A room inside the window by `update_time` but not by `create_time`
 * says "update_time", and the other way round; a room outside by both says the filter is
 * ignored. Rooms inside by both (never updated) say nothing. Null when nothing was learned.
 */
export function filterEvidence(window: TimeWindow, rooms: readonly TimedItem[]): FilterField | null {
  if (window.start === null && window.end === null) return null;
  let update = false;
  let create = false;
  const bounds = plainBounds(window);
  for (const room of rooms) {
    const byUpdate = within(window, bounds, room.update_time);
    const byCreate = within(window, bounds, room.create_time);
    if (byUpdate === undefined || byCreate === undefined) continue;
    if (!byUpdate && !byCreate) return "ignored";
    if (byUpdate && !byCreate) update = true;
    if (byCreate && !byUpdate) create = true;
  }
  // Both at once cannot be a consistent filter on either field.
  if (update && create) return "ignored";
  return update ? "update_time" : create ? "create_time" : null;
}

/**
 * The window's bounds, slack included, as times in the documented form: a stamp in that form is
 * inside exactly when it sorts between them as text, with no parse (every room of every page
 * comes through here twice).
 */
function plainBounds(window: TimeWindow): { start: string | undefined; end: string | undefined } | null {
  const start = window.start === null ? undefined : window.start - SLACK_SECONDS;
  const end = window.end === null ? undefined : window.end + SLACK_SECONDS;
  // Only years 1000 to 9999 are written in that form, four digits, sorting as they count.
  const writable = (seconds: number | undefined) =>
    seconds === undefined || (seconds >= FIRST_PLAIN_SECOND && seconds <= LAST_PLAIN_SECOND);
  if (!writable(start) || !writable(end)) return null;
  return {
    start: start === undefined ? undefined : formatRfc3339(start),
    end: end === undefined ? undefined : formatRfc3339(end),
  };
}

const FIRST_PLAIN_SECOND = Date.UTC(1000, 0, 1) / 1000;
const LAST_PLAIN_SECOND = Date.UTC(9999, 11, 31, 23, 59, 59) / 1000;

function within(
  window: TimeWindow,
  bounds: ReturnType<typeof plainBounds>,
  time: string | null | undefined,
): boolean | undefined {
  if (!time) return undefined;
  if (bounds !== null && isPlainUtcSecond(time)) {
    return (
      !(bounds.start !== undefined && time < bounds.start) && !(bounds.end !== undefined && time > bounds.end)
    );
  }
  const seconds = Math.floor(Date.parse(time) / 1000);
  if (Number.isNaN(seconds)) return undefined;
  if (window.start !== null && seconds < window.start - SLACK_SECONDS) return false;
  if (window.end !== null && seconds > window.end + SLACK_SECONDS) return false;
  return true;
}

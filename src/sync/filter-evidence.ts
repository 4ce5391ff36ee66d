import type { FilterField } from "../vocabulary.js";
import type { TimeWindow } from "./time-window.js";

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
  for (const room of rooms) {
    const byUpdate = within(window, room.update_time);
    const byCreate = within(window, room.create_time);
    if (byUpdate === undefined || byCreate === undefined) continue;
    if (!byUpdate && !byCreate) return "ignored";
    if (byUpdate && !byCreate) update = true;
    if (byCreate && !byUpdate) create = true;
  }
  // Both at once cannot be a consistent filter on either field.
  if (update && create) return "ignored";
  return update ? "update_time" : create ? "create_time" : null;
}

function within(window: TimeWindow, time: string | null | undefined): boolean | undefined {
  if (!time) return undefined;
  const seconds = Math.floor(Date.parse(time) / 1000);
  if (Number.isNaN(seconds)) return undefined;
  if (window.start !== null && seconds < window.start - SLACK_SECONDS) return false;
  if (window.end !== null && seconds > window.end + SLACK_SECONDS) return false;
  return true;
}

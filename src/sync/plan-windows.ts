import type { TimeWindow } from "./time-window.js";

/**
 * Cuts a closed window at the given seconds (those inside it), into windows that share their
 * boundary second: the upstream may treat `end_time` as inclusive or exclusive, and overlapping
 * by one second loses nothing either way.
 */
export function cutWindow(window: TimeWindow, cuts: readonly number[]): TimeWindow[] {
  if (window.start === null || window.end === null) return [window];
  const { start, end } = window;
  const inside = [...new Set(cuts)].filter((cut) => cut > start && cut < end).sort((a, b) => a - b);
  const bounds = [start, ...inside, end];
  return bounds.slice(1).map((to, i) => ({ start: bounds[i]!, end: to }));
}

/**
 * Where to cut, from the last second of each group of rooms the mirror knows (groups of at most
 * `plannedWindowRooms` by its count, in time order): one second after it, a second that holds no
 * room of the group, and usually none at all, so a shared boundary second rarely costs a room
 * counted in two windows. The newest group is not cut off from what follows it: rooms newer than
 * the mirror's newest (created since the last run) are read with it, in one page when they are
 * few, and one window in however many pages when they are many.
 */
export function cutsAfter(groupEnds: readonly number[]): number[] {
  return groupEnds.slice(0, -1).map((last) => last + 1);
}

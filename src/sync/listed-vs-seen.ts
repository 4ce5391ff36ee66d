/**
 * Whether a full run may judge deletions, checked against the settled windows' premise rather
 * than trusting it: a settled window only loses rooms while it is read (see WindowTally). If the
 * upstream moves a room's `update_time` back into a window the run already read, the room is in
 * no window read afterwards nor in the closing read, and would be judged deleted although the
 * upstream still lists it. Nothing else detects that; this does, from one number.
 *
 * The argument: just before the closing read, one request of the whole list (no time filter)
 * reports `listed`, the rooms the upstream held at that moment, L. Each room of L then sat in a
 * settled window, all read completely by then (or by the failed run this one resumes, whose
 * sightings it adopted), or in the closing window, read next. If settled windows only lost rooms,
 * a room of L in one was in it when it was read, so it was seen; a room in the closing window is
 * seen by the closing read, there or, edited meanwhile, at its new place in the same open window.
 * So every room of L is seen by the time deletions are judged, and `seen` (the distinct room IDs
 * the run saw) plus `withoutId` (items whose ID could not be recorded as seen) is at least
 * `listed`. More listed than that means a room the upstream held was missed: no deletion is
 * judged, and the next full run, reading every window again, judges them.
 *
 * Which way each race moves the comparison:
 * - towards judging no deletions (never a room wrongly deleted, at worst a run's deletions left
 *   to the next full run): a room of L deleted before the closing read reached it; a `count`
 *   that lies high; two upstream IDs stored as one (normalised);
 * - towards judging them: a room seen but not in L (read, then deleted before the count; or
 *   created after it and read by the closing read), an item without a usable ID counted twice
 *   (overlapping pages, a second pass), a `count` that lies low. These only hide a miss, as
 *   many as there are of them; they never turn a complete read into a refusal. The check is
 *   one-sided: a miss in a project quiet during the run is always caught, one drowned in as
 *   much churn may not be, which is what the engine did before it.
 */
export interface ListedVsSeen {
  /** `count` of the whole list, read just before the closing read. */
  listed: number;
  /** Distinct rooms the run saw: rooms written or marked seen, adopted ones included. */
  seen: number;
  /** Items the run read whose `room_id` cannot be stored as seen (absent, empty, unstorable). */
  withoutId: number;
}

/**
 * How many rooms the upstream listed that the run cannot account for: more than 0 means some
 * room it still holds was missed, and no deletion may be judged. A `listed` that is no count at
 * all proves nothing either way, so it is treated as a miss (Infinity): the run still succeeds.
 */
export function unaccountedRooms({ listed, seen, withoutId }: ListedVsSeen): number {
  if (!Number.isSafeInteger(listed) || listed < 0) return Number.POSITIVE_INFINITY;
  return Math.max(0, listed - seen - withoutId);
}

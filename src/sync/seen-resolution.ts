/**
 * How old a `last_seen_at` must be for the run's success to refresh it (seconds), or null when
 * no room's can be that old, and the refresh, which joins the run's seen IDs to every room, would
 * update none: on a project the mirror held no room of when the run began (`unstoredAtStart`),
 * every room is one this run wrote, its `last_seen_at` no earlier than the run's start. At the
 * end of a first full sync of 100,000 rooms the refresh read them all (~55 ms) to update none. A
 * run longer than the resolution still refreshes: its first rooms are older than that by its end.
 */
export function seenResolution(
  run: { unstoredAtStart: boolean; startedAt: Date; finishedAt: Date },
  resolutionSeconds: number,
): number | null {
  const oldest = run.finishedAt.getTime() - resolutionSeconds * 1000;
  return run.unstoredAtStart && run.startedAt.getTime() >= oldest ? null : resolutionSeconds;
}

import type { PlannedChange } from "../db/apply-room-batch.js";
import { unaccountedRooms } from "./listed-vs-seen.js";
import { readListedCount, readPage, readWindows } from "./read-run.js";
import { OpenWindowUnsettled } from "./sync-errors.js";
import { assertLocked, skewSeconds, type RunContext } from "./run-context.js";
import { formatRfc3339, toSeconds, type TimeWindow } from "./time-window.js";
import { HEADER_ALLOWANCE_SECONDS, MAX_STAMP_LEAD_SECONDS } from "./upstream-clock.js";

/**
 * The closing read: one open-ended window (no `end_time`), read once every settled window is
 * complete, of everything stamped since the settled span ended, and since the run began by the
 * upstream's clock less the skew tolerance (see editsSince), whichever is earlier. A room edited
 * during the run is seen here at its new place, a room stamped ahead of our clock is seen at all,
 * and the mirror ends as of the run's end.
 */
export async function closingRead(ctx: RunContext): Promise<void> {
  const tail = closingWindow(ctx);
  ctx.closedFrom = tail.start === null ? null : new Date(tail.start * 1000);
  // Outside the try: it fails the run as any request would, and a re-plan takes it again.
  if (ctx.plan.findsDeletions) ctx.listedBeforeClose = await readListedCount(ctx);
  try {
    // Rooms stamped before the run began were not edited during it. An offset behind ours is
    // mostly the Date header's whole seconds; one far behind only costs a pass (not a room).
    const liveAfter = toSeconds(ctx.startedAt) + Math.max(0, ctx.clock.readingOffsetSeconds);
    await readWindows(ctx, [tail], { liveAfter });
    if (ctx.filterField === "create_time" || ctx.filterField === "ignored") await readRecentEdits(ctx);
  } catch (error) {
    if (!(error instanceof OpenWindowUnsettled)) throw error;
    // Safe either way: what was read is mirrored, and a room is never judged deleted on a read
    // that may have missed it. The next run's lookback reads this span again.
    ctx.closingSettled = false;
    ctx.log.warn(
      { missing: error.missing },
      "the newest rooms changed faster than they could be read; this run judges no deletions",
    );
  }
}

/** Pages of the list's head the closing read follows at most. */
const MAX_HEAD_PAGES = 20;

/**
 * Where an edit moves no room into a newer window (the filter applies to create_time, or to
 * nothing), the open window cannot show the edits made during the run. The list itself is
 * ordered newest update first, so the closing read also follows its head until a room updated
 * before the run (or the chain it resumes) began, by the upstream's clock less the tolerance
 * (editsSince): usually one page, which mirrors those edits. Stops at once if the order turns
 * out otherwise: nothing else relies on it.
 */
async function readRecentEdits(ctx: RunContext): Promise<void> {
  const since = editsSince(ctx);
  for (let pageNo = 0; pageNo < MAX_HEAD_PAGES; pageNo += 1) {
    const page = await readPage(ctx, { start: null, end: null }, pageNo * 100);
    const stamps = page.rooms.map((room) => Date.parse(room.update_time ?? "") / 1000);
    const ordered = stamps.every((stamp, i) => i === 0 || !(stamp > stamps[i - 1]!));
    const last = stamps.at(-1);
    if (!ordered || last === undefined || !(last >= since) || page.rooms.length < 100) return;
  }
}

export function closingWindow(ctx: RunContext): TimeWindow {
  const { tail } = ctx.plan;
  if (tail.start === null) return tail;
  return { start: Math.min(tail.start, editsSince(ctx)), end: null };
}

/**
 * Where the edits the settled windows may have missed begin (epoch seconds, by the upstream's
 * clock less the tolerance): when the run began, or, when it skips windows a failed run it
 * resumes completed, when the earliest run of that chain began. An edit made during the failed
 * run, with the upstream's clock behind ours by more than the tolerance, is stamped inside the
 * settled span, possibly in a window already completed: the room leaves a window not yet read
 * for one this run skips, and only a closing read from the chain's start still finds it.
 * The offset is this run's, measured on its first requests: the failed run's is not recorded.
 * It is the `Date` header's alone (readingOffsetSeconds), never a room's stamp: one room stamped
 * in 2099 put this in 2099, and the head of the list was then read for one page.
 */
function editsSince(ctx: RunContext): number {
  const began = ctx.covered.length > 0 ? ctx.chainStartedAt : ctx.startedAt;
  return toSeconds(began) + ctx.clock.readingOffsetSeconds - skewSeconds(ctx);
}

/**
 * The close phase, once everything was read: commits what is buffered, then (a full run only)
 * judges deletions. A room is judged deleted only when neither the settled windows nor the
 * closing read saw it; items that cannot be mirrored count as seen (stored page by page, so the
 * flush has stored them all). None is judged when the upstream listed more rooms before the
 * closing read than the run saw (unaccountedRooms): then some room it holds was missed.
 */
export async function closeRun(ctx: RunContext): Promise<ClosedRun> {
  reportClock(ctx);
  await ctx.writer.flush();
  await ctx.ledger.flushRequests();
  assertLocked(ctx);
  if (!ctx.plan.findsDeletions || !ctx.closingSettled) return { deleted: 0, preview: [] };
  const seen = await countSeen(ctx);
  if (!everyListedRoomSeen(ctx, seen)) return { deleted: 0, preview: [], seen };
  if (ctx.unstoredAtStart) {
    // Every room the project holds is one this run wrote, which is its sighting: none can be
    // unseen. Asking cost a scan of every room at the end of a first full sync (~80 ms at 100k).
    ctx.log.debug("judged no deletions: the mirror held no room of the project when the run began");
    return { deleted: 0, preview: [], seen };
  }
  const judged = await ctx.ledger.judgeDeletions({
    allowMassDelete: ctx.job.allowMassDelete ?? false,
    threshold: ctx.deps.settings.massDeleteThreshold,
    now: ctx.now(),
  });
  // Deletions add no seen room: the count taken before them is the run's (commitRun reuses it;
  // at 100,000 rooms it is a 0.1 s query).
  return { ...judged, seen };
}

/** The rooms the run saw, for the guard and the summary (see RunLedger.countSeen). */
export function countSeen(ctx: RunContext): Promise<number> {
  return ctx.ledger.countSeen(ctx.unstoredAtStart ? { inserted: ctx.writer.totals.inserted } : undefined);
}

/** What closing a run decided, and the rooms it saw when it was counted for the guard. */
export interface ClosedRun {
  deleted: number;
  preview: PlannedChange[];
  seen?: number;
}

/** Whether the run saw every room the upstream listed before the closing read; warns if not. */
function everyListedRoomSeen(ctx: RunContext, seen: number): boolean {
  const listed = ctx.listedBeforeClose ?? Number.NaN;
  const withoutId = ctx.itemsWithoutId;
  const unaccounted = unaccountedRooms({ listed, seen, withoutId });
  if (unaccounted === 0) return true;
  ctx.log.warn(
    { listed, seen, items_without_id: withoutId },
    `the upstream listed ${Number.isSafeInteger(listed) ? listed : "an unusable count of"} rooms ` +
      `before the closing read, more than the ${seen + withoutId} this run saw (${seen} rooms, ` +
      `${withoutId} items without a usable room_id): a room moved into a window the run had ` +
      `already read, e.g. its update_time went back; this run judges no deletions, the next ` +
      `full run judges deletions`,
  );
  return false;
}

/** The upstream clock's measured offset: logged, reported, and a warning beyond the tolerance. */
function reportClock(ctx: RunContext): void {
  reportFutureStamps(ctx);
  if (!ctx.clock.measured) return;
  const offset = ctx.clock.offsetSeconds;
  ctx.deps.onClockOffset?.(ctx.job.projectId, offset);
  const tolerance = skewSeconds(ctx);
  if (Math.abs(offset) > tolerance) {
    ctx.log.warn(
      { clock_offset_seconds: offset, tolerance_seconds: tolerance },
      `the upstream's clock is ${Math.abs(offset)} s ${offset > 0 ? "ahead of" : "behind"} ours, more than ` +
        `METASTUDIO_CLOCK_SKEW_SECONDS=${tolerance}: rooms edited during a run may be read late; raise it or fix the clock`,
    );
  } else {
    ctx.log.info({ clock_offset_seconds: offset }, "measured the upstream's clock");
  }
}

/** Each room stamped later than the upstream's clock can be, once: bad data a person can fix. */
function reportFutureStamps(ctx: RunContext): void {
  for (const { roomId, field, stamp, limit, byHeader } of ctx.clock.futureStamps) {
    const after = byHeader
      ? `its answer's Date header plus ${HEADER_ALLOWANCE_SECONDS} s`
      : `our clock plus ${MAX_STAMP_LEAD_SECONDS} s, the answer having no Date header`;
    ctx.log.warn(
      { room_id: roomId, field, stamp },
      `room ${roomId} has ${field} ${stamp}, later than the upstream's clock can be (${formatRfc3339(limit)}, ` +
        `${after}): mirrored as the upstream's data, not taken as its clock`,
    );
  }
  if (ctx.clock.moreFutureStamps)
    ctx.log.warn(
      "more rooms are stamped later than the upstream's clock can be; the first ones are named above",
    );
}

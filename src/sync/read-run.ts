import type { ListPage, RequestRecord } from "../metastudio/metastudio-client.js";
import { isStorableId } from "../metastudio/storable-item.js";
import { collectWindow, type CollectOptions } from "./collect-window.js";
import { filterEvidence } from "./filter-evidence.js";
import { planFor } from "./open-run.js";
import { newestEdited, probeAround, probeFilterField } from "./probe-filter.js";
import { assertLocked, skewSeconds, type RunContext } from "./run-context.js";
import { settleEach } from "./settle-all.js";
import { FilterSemanticsChanged } from "./sync-errors.js";
import { uncoveredWindows, windowParams, type TimeWindow } from "./time-window.js";

/** Request rows buffered before they are stored. */
const REQUEST_ROWS_PER_INSERT = 200;

/**
 * The read phase: every settled window of the plan a predecessor did not complete, concurrently.
 * An incremental run that would trust a narrow window first learns what the filter applies to;
 * a full run whose windows said nothing about it learns it after them, so the next incremental
 * run need not.
 */
export async function readSettled(ctx: RunContext): Promise<void> {
  if (ctx.filterField === null && narrow(ctx)) await probe(ctx);
  const pending = ctx.plan.windows.flatMap((w) => uncoveredWindows(w, ctx.covered));
  await readWindows(ctx, pending);
  if (ctx.filterField === null && ctx.probeAt !== null && ctx.job.mode === "full") await probeRead(ctx);
}

/** After the data contradicted the plan's assumption about the filter: plan again from scratch. */
export async function replan(ctx: RunContext, error: FilterSemanticsChanged): Promise<void> {
  ctx.log.warn({ filter_field: error.field }, "re-planning the run for the observed filter behaviour");
  ctx.plan = await planFor(ctx, ctx.filterField);
  ctx.covered = [];
  // Everything is read again: the progress total starts over with the new plan.
  Object.assign(ctx.progress, { rooms: 0, reported: 0, windowsReported: 0, windowsPlanned: 0 });
}

/**
 * Reads windows at once, sharing the run's page slots. The first failure (a re-plan included)
 * stops every other window, or they would go on splitting and writing for a plan that no longer
 * holds; the call ends only once every window has stopped.
 */
export async function readWindows(
  ctx: RunContext,
  windows: TimeWindow[],
  extra: Pick<CollectOptions, "liveAfter"> = {},
): Promise<void> {
  const stop = new AbortController();
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      stop.abort(error);
      throw error;
    }
  };
  const pages = ctx.pageSlots;
  const reportTotal = totalReporter(ctx, windows);
  const options = {
    ...extra,
    semaphore: pages,
    windowSlots: ctx.windowSlots,
    signal: stop.signal,
    maxWindowRooms: ctx.deps.settings.maxWindowRooms,
    clockSkewSeconds: skewSeconds(ctx),
    fetchPage: (w: TimeWindow, offset: number, limit: number) =>
      guard(() => fetchPage(ctx, w, offset, limit, stop.signal).then((page) => reportTotal(w, page))),
    onPage: (page: ListPage, w: TimeWindow) => guard(() => takePage(ctx, page, w)),
    onWindowComplete: (w: TimeWindow, count: number) => {
      ctx.progress.windowsDone += 1;
      // Recorded only once its rooms are committed, so a resumed run can trust it.
      ctx.writer.afterWrites(() => ctx.ledger.windowDone(w, count));
    },
  };
  await settleEach(windows, Math.max(2, pages.limit * 2), (w) => collectWindow(w, options));
}

/**
 * Adds each planned window's reported `count` (its first page) to the progress total and the
 * run's budget, once: the parts of a split window and later passes are the same rooms again.
 */
function totalReporter(ctx: RunContext, windows: TimeWindow[]): (w: TimeWindow, page: ListPage) => ListPage {
  const pending = new Set(windows);
  ctx.progress.windowsPlanned = (ctx.progress.windowsPlanned ?? 0) + windows.length;
  return (w, page) => {
    if (pending.delete(w) && Number.isSafeInteger(page.count) && page.count >= 0) {
      ctx.progress.reported = (ctx.progress.reported ?? 0) + page.count;
      ctx.progress.windowsReported = (ctx.progress.windowsReported ?? 0) + 1;
      ctx.budget.observeTotal(ctx.progress.reported);
    }
    return page;
  };
}

/** One page read and taken like any other (writer, evidence, clock), outside any window's tally. */
export async function readPage(ctx: RunContext, window: TimeWindow, offset: number): Promise<ListPage> {
  const page = await fetchPage(ctx, window, offset, 100, new AbortController().signal);
  await takePage(ctx, page, window);
  return page;
}

/**
 * The `count` of the whole list (no time filter), from a page of one room: rate-limited, retried,
 * recorded and counted as any request, but not taken. Its room is one the run's reads see anyway,
 * and taking it would count it twice in the run's progress and in its invalid items.
 */
export async function readListedCount(ctx: RunContext): Promise<number> {
  const page = await fetchPage(ctx, { start: null, end: null }, 0, 1, new AbortController().signal);
  return page.count;
}

function fetchPage(ctx: RunContext, w: TimeWindow, offset: number, limit: number, stop: AbortSignal) {
  const signal = ctx.deps.signal ? AbortSignal.any([ctx.deps.signal, stop]) : stop;
  return ctx.deps.client.listSmartChatRooms(
    { projectId: ctx.job.projectId, offset, limit, ...windowParams(w) },
    { signal, log: { run_id: ctx.runId }, onRequest: (record) => recordRequest(ctx, record) },
  );
}

function recordRequest(ctx: RunContext, record: RequestRecord): void {
  ctx.progress.requests += 1;
  ctx.fetchMs += record.durationMs;
  ctx.ledger.request(record);
  ctx.budget.spend(Date.now()); // throws once the run's budget is spent
}

/** One page: clock and filter evidence, the rooms to the writer, then invalid items' IDs. */
async function takePage(ctx: RunContext, page: ListPage, window: TimeWindow): Promise<void> {
  assertLocked(ctx);
  ctx.clock.observe(page, ctx.now());
  ctx.budget.observeCount(page.count);
  ctx.progress.pages += 1;
  ctx.progress.rooms += page.rooms.length;
  ctx.validateMs += page.parseMs;
  ctx.invalidItems += page.invalid.length;
  const evidence = filterEvidence(window, page.rooms);
  if (ctx.filterField === null && ctx.job.mode === "full")
    ctx.probeAt = newestEdited(page.rooms, ctx.probeAt);
  if (evidence !== null && evidence !== ctx.filterField) {
    ctx.log.info(
      { filter_field: evidence, previously: ctx.filterField },
      "observed what start_time/end_time filter on",
    );
    ctx.filterField = evidence;
    if (evidence === "ignored" || (evidence === "create_time" && narrow(ctx))) {
      throw new FilterSemanticsChanged(evidence);
    }
  }
  ctx.ledger.pageSeen(page.rooms.map((room) => room.room_id));
  await ctx.writer.add(page.rooms.map((room) => ({ room, requestId: page.requestId })));
  seenInvalid(ctx, page);
  await ctx.ledger.flushRequests(REQUEST_ROWS_PER_INSERT);
  ctx.deps.onProgress?.({ ...ctx.progress });
}

/**
 * Items that cannot be mirrored still prove their room exists: their IDs are stored as seen
 * after the page's rooms and so before its window is recorded complete (both wait for the same
 * writes, in order). Kept in memory until the end, they were lost with a failed run while its
 * window was not, and the run resuming it skipped that window and judged those rooms deleted.
 * Items with no ID that can be stored are counted instead, for unaccountedRooms.
 */
function seenInvalid(ctx: RunContext, page: ListPage): void {
  const ids: string[] = [];
  for (const invalid of page.invalid) {
    const id = (invalid.item as { room_id?: unknown } | null)?.room_id;
    // Such an ID is never stored (insertSeenIds); left out here too, both ledgers count alike.
    if (typeof id !== "string" || !id || !isStorableId(id)) {
      // Per read, not per room: passes and overlaps count one twice, which only hides a miss.
      ctx.itemsWithoutId += 1;
      continue;
    }
    // A window read in several passes shows the same items again: each ID is stored once.
    if (!ctx.invalidIds.has(id)) {
      ctx.invalidIds.add(id);
      ids.push(id);
    }
  }
  if (ids.length > 0) ctx.writer.afterWrites(() => ctx.ledger.seenWithoutRoom(ids));
}

/** Whether the plan reads only part of the settled span, which needs the filter on update_time. */
function narrow(ctx: RunContext): boolean {
  return ctx.job.mode === "incremental" && (ctx.plan.windows[0]?.start ?? 0) > 0;
}

/** A narrow incremental window is only safe once the filter is known to apply to update_time. */
async function probe(ctx: RunContext): Promise<void> {
  ctx.filterField = await probeFilterField(ctx.deps.database.db, ctx.job.projectId, (w) =>
    fetchPage(ctx, w, 0, 100, new AbortController().signal),
  );
  ctx.log.info({ filter_field: ctx.filterField }, "probed what start_time/end_time filter on");
  // Unknown reads as wide as create_time would: slower, but it cannot miss an update.
  if (ctx.filterField !== "update_time") ctx.plan = await planFor(ctx, ctx.filterField ?? "create_time");
}

/**
 * A full run's probe, at an edited room it read: a small project's full run reads one window from
 * the start of time, which every room is inside by both fields, so it learns nothing on its own.
 * Its windows were wide, so whatever the answer, they missed nothing; an ignored filter is
 * handled as when a page shows it (plan again), create_time by the closing read.
 */
async function probeRead(ctx: RunContext): Promise<void> {
  ctx.filterField = await probeAround(ctx.probeAt!, (w) =>
    fetchPage(ctx, w, 0, 100, new AbortController().signal),
  );
  ctx.log.info({ filter_field: ctx.filterField }, "probed what start_time/end_time filter on");
  if (ctx.filterField === "ignored") throw new FilterSemanticsChanged("ignored");
}

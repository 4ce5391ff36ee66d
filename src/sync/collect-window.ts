import { createHash } from "node:crypto";

import type { ListPage } from "../metastudio/metastudio-client.js";
import { Semaphore } from "./semaphore.js";
import { settleAll, settleEach } from "./settle-all.js";
import { describeWindow, splitWindow, type TimeWindow } from "./time-window.js";
import { OpenWindowUnsettled } from "./sync-errors.js";
import { clockStampLimit, latestClockStamp } from "./upstream-clock.js";
import { WindowTally } from "./window-tally.js";

export interface CollectOptions {
  fetchPage: (window: TimeWindow, offset: number, limit: number) => Promise<ListPage>;
  /** Every page, as it arrives: the rooms go to the writer, the evidence to the filter check. */
  onPage: (page: ListPage, window: TimeWindow) => Promise<void>;
  /** A window read completely (a full run records it so a retry can skip it). */
  onWindowComplete: (window: TimeWindow, count: number) => void;
  semaphore: Semaphore;
  /**
   * Windows paged at once, across the run; a window waiting for a slot holds only its first page's
   * count and room IDs (its tally), not the page.
   * @default unbounded
   */
  windowSlots?: Semaphore;
  /** Aborted when the run gives up: no further page is requested, in this window or any other. */
  signal?: AbortSignal;
  /** @default 100, the API's maximum */
  pageSize?: number;
  /**
   * A window reporting more rooms than this is split before it is paged: a small window is read
   * in fewer requests, so it is less likely to change under us, and its tally stays small.
   * @default 5000
   */
  maxWindowRooms?: number;
  /** Passes over a one-second window before giving up. @default 25 */
  maxPasses?: number;
  /**
   * The window is a settled part cut from an open one (the closing read): rooms edited during the
   * run keep leaving its last seconds, so after `maxPasses` it gives up as an open window does,
   * with OpenWindowUnsettled (the run then judges no deletions) rather than failing the run.
   * @default false
   */
  cutFromOpen?: boolean;
  /**
   * An open window busier than a page is cut before it is paged only when its first page holds a
   * room stamped after this second (epoch seconds, the upstream's clock), and no later than a
   * clock can be (see latestClockStamp): one edited while the run reads. Otherwise it is paged as
   * it is, and cut only if a pass fails: a cut costs the first page again, and rooms stamped in
   * the cut second are read on both sides of it.
   * @default always cut
   */
  liveAfter?: number;
  /**
   * How far the upstream's clock may be off ours (METASTUDIO_CLOCK_SKEW_SECONDS): where an answer
   * has no `Date` header, all that says where the upstream's clock stands (see clockReached).
   */
  clockSkewSeconds: number;
}

/**
 * Reads every room of `window`, however the upstream orders or shifts its pages, by tallying
 * passes (see WindowTally) and splitting windows in time when passes keep failing. Rooms of
 * failed passes still reach `onPage`: they are real observations, just not proof of completeness.
 */
export async function collectWindow(window: TimeWindow, options: CollectOptions): Promise<void> {
  const pageSize = options.pageSize ?? 100;
  const reader = new WindowReader(window, options, pageSize);
  const first = await openWindow(reader, options.liveAfter);
  const maxRooms = options.maxWindowRooms ?? 5000;
  const cut =
    first.count > maxRooms
      ? splitWindow(window, splitParts(first.count, maxRooms, options.semaphore.limit))
      : null;
  if (cut) return collectParts(cut, options);
  const halves = splitWindow(window);
  // Rooms keep arriving in an open window while it is paged, so its tally may never hold still:
  // its settled part is read as a closed window, and only then what is newer.
  const recut = async (parts: [TimeWindow, TimeWindow]): Promise<void> => {
    await collectWindow(parts[0], { ...options, cutFromOpen: true });
    await collectWindow(parts[1], options);
  };
  const settledPart = first.count > pageSize && first.live ? cutOpenWindow(window, reader.latest) : null;
  if (settledPart) return recut(settledPart);

  // Paging holds a window slot, so only a few windows have a tally filling at once: split
  // parts are read concurrently, and without this a large project would open every window of
  // its split tree together and hold all their room IDs. The slot is given back before a split.
  const paged = () => pagePasses(reader, first.count, halves !== null);
  const outcome = options.windowSlots ? await options.windowSlots.run(paged) : await paged();
  if (outcome === "split" && halves) return collectParts(halves, options);
  if (Array.isArray(outcome)) return recut(outcome);
  options.onWindowComplete(window, reader.tally.count ?? 0);
}

/**
 * Reads a window's first page and keeps only what the window's reading needs of it: its rooms have
 * already gone to the writer, and a window may wait long for a slot after this. Returning the
 * page itself kept it alive in the suspended collectWindow: a 1,000,000-room first run held
 * ~27,000 rooms of first pages at once (its split tree's leaves waiting for the two window
 * slots), ~25 MB of its heap.
 */
async function openWindow(
  reader: WindowReader,
  liveAfter: number | undefined,
): Promise<{ count: number; live: boolean }> {
  const page = await reader.read(0);
  // Stamps a clock could have made: a room stamped in 2099 is no edit made while the run reads,
  // and taken as one it cost a page read again in every run while the upstream held it.
  const { limit } = clockStampLimit(page.date, Date.now() / 1000);
  return {
    count: page.count,
    live: (latestClockStamp(page.rooms, limit) ?? Infinity) > (liveAfter ?? -Infinity),
  };
}

/** One window's pages as they are read: its tally, and the latest second its clock surely reached. */
class WindowReader {
  readonly tally = new WindowTally();
  latest: number | undefined;

  constructor(
    readonly window: TimeWindow,
    readonly options: CollectOptions,
    readonly pageSize: number,
  ) {}

  /**
   * The page is handed on inside the slot: when the writer pushes back, fetching slows with it,
   * so memory holds at most one page per slot however slow the database is.
   */
  read(offset: number, slots: Semaphore = this.options.semaphore): Promise<ListPage> {
    return slots.run(async () => {
      this.options.signal?.throwIfAborted();
      // Our clock before the request, not when the answer came: the upstream answered after this
      // however long the request took (retries, throttling). The run's own clock (RunContext.now)
      // differs only in tests. Used without a Date header.
      const askedAt = Date.now() / 1000;
      const page = await this.options.fetchPage(this.window, offset, this.pageSize);
      const seen = clockReached(page, askedAt, this.options.clockSkewSeconds);
      this.tally.observe(page.count, itemKeys(page));
      this.latest = Math.max(this.latest ?? -Infinity, seen);
      await this.options.onPage(page, this.window);
      return page;
    });
  }

  /**
   * A window that cannot be split and keeps changing under its passes is read alone: other
   * windows' requests (and their retries) no longer stretch the time between its pages.
   */
  readPass(offsets: number[], alone: boolean): Promise<void> {
    const { semaphore } = this.options;
    // No more page calls waiting at once than there are slots: a window's count is the
    // upstream's word, and a one-second window cannot be split however many pages it claims.
    const pass = (slots: Semaphore) =>
      settleEach(offsets, slots.limit, async (offset) => void (await this.read(offset, slots)));
    if (!alone) return pass(semaphore);
    return semaphore.exclusive(() => pass(new Semaphore(semaphore.limit)));
  }
}

/**
 * Passes over the window's pages (the first already read) until its tally is complete; or the
 * halves to read instead, or an open window's settled part to cut off, or a failure once passes
 * run out.
 */
async function pagePasses(
  reader: WindowReader,
  firstCount: number,
  splittable: boolean,
): Promise<"complete" | "split" | [TimeWindow, TimeWindow]> {
  const { tally, window, options, pageSize } = reader;
  const maxPasses = options.maxPasses ?? 25;
  let offsets = pageOffsets(firstCount, pageSize).slice(1);
  for (let pass = 1; !tally.complete; pass += 1) {
    tally.startPass();
    await reader.readPass(offsets, !splittable && pass > 2);
    if (tally.complete) break;
    // The window changed under us, or ties keep reshuffling: smaller windows take fewer
    // requests to read, so they are likelier to hold still.
    if (splittable && (tally.shifted || pass >= 2)) return "split";
    const settledNow = cutOpenWindow(window, reader.latest);
    if (settledNow) return settledNow;
    if (window.end === null && pass >= MAX_OPEN_PASSES) throw new OpenWindowUnsettled(window, tally.missing);
    if (pass >= maxPasses) {
      if (options.cutFromOpen) throw new OpenWindowUnsettled(window, tally.missing);
      throw new Error(
        `Could not read window ${describeWindow(window)} consistently after ${pass} passes: ` +
          `the upstream kept reporting a changing set (${tally.missing} of ${tally.count} rooms unconfirmed).`,
      );
    }
    offsets = pageOffsets(tally.count ?? firstCount, pageSize);
  }
  return "complete";
}

/**
 * How many parts a window reporting `count` rooms is cut into before paging: enough for parts of
 * about `maxRooms` if its rooms were spread evenly, and no more than there are page slots, which
 * read every part's first page at once. Cutting in two took a level of the split tree per
 * halving: a first run of 20,000 rooms stamped over two recent years, in a window reaching back to
 * 1970, spent nine levels of round trips (a third of a second here) narrowing down, with one or
 * two requests in flight.
 */
export function splitParts(count: number, maxRooms: number, pageSlots: number): number {
  return Math.max(2, Math.min(Math.ceil(count / maxRooms), pageSlots));
}

async function collectParts(parts: TimeWindow[], options: CollectOptions): Promise<void> {
  // All at once, sharing the run's semaphore, so a large window's split tree is read with the
  // full page concurrency instead of one small window at a time. The newest part queues first:
  // it is where a shifting upstream moves rooms to, so it is best read early.
  await settleAll(parts.toReversed().map((part) => collectWindow(part, options)));
}

/**
 * Passes over an open window that cannot be cut any further: rooms stamped in its last second or
 * two keep arriving faster than a page, and waiting longer will not help.
 */
const MAX_OPEN_PASSES = 4;

/**
 * An open window (no `end_time`) cut where the upstream's clock stood when it answered (`latest`,
 * from clockReached): every room stamped from then on is stamped no earlier, so the part before
 * that second is settled. Null when the window is closed, or when that leaves nothing to cut off.
 */
export function cutOpenWindow(
  window: TimeWindow,
  latest: number | undefined,
): [TimeWindow, TimeWindow] | null {
  if (window.end !== null || window.start === null || latest === undefined) return null;
  const cut = latest - 1;
  if (cut <= window.start) return null;
  return [
    { start: window.start, end: cut },
    { start: cut, end: null },
  ];
}

/**
 * The latest second an answer shows the upstream's clock had surely reached, where an open window
 * may be cut (see cutOpenWindow): its `Date` header; without one, our clock when the request was
 * sent (`askedAt`, epoch seconds) less the tolerance (`skewSeconds`).
 *
 * A cut at this second reads the span before it as settled, on the ground that it can only lose
 * rooms (see WindowTally), and the rest after it: sound only if the upstream's clock had reached
 * that second when it answered, for then every room edited from then on is stamped no earlier and
 * lands in the rest, read last. So this is the earliest its clock can be, never the latest, and
 * never a stamp beyond that: any stamp may be bad data. Cut at a room stamped in 2099, the
 * "settled" part held the upstream's now and took in every room edited while it was read: it was
 * split over and over (hundreds of requests), parts of it in the future were completed empty
 * before edits were stamped in them (those edits were not mirrored), or it never held still and
 * the run judged no deletions, every run while that room stood. A cut too early costs only a
 * longer rest of the window, and perhaps a pass.
 * - With a header, the header alone: the upstream's clock itself, erring low (its truncated
 *   second, the latency). Not the header plus HEADER_ALLOWANCE_SECONDS, the latest a stamp may be
 *   and still count as the clock: a room stamped that far ahead may be bad data too, and the cut
 *   would claim the upstream's next seconds settled. An honest stamp after the header (its second
 *   turned while the answer was computed) costs only a second more of the window's rest.
 * - Without one, only the tolerance says where the upstream's clock stands: it is no further
 *   behind ours than METASTUDIO_CLOCK_SKEW_SECONDS (what every run rests on: its settled windows
 *   end that long before it began), and it answered after we asked, so it had reached `askedAt`
 *   less the tolerance. No stamp tells more. One earlier is below what the tolerance already
 *   shows; one later may be a room stamped past the upstream's clock, and no answer tells it from
 *   an honest one: in 2099, or seconds past ours while the upstream's clock runs behind. Cut at
 *   the latest stamp capped at our clock, an upstream behind ours holding such a room was cut up
 *   to its lag too late, and rooms edited while the settled part was read were stamped inside it:
 *   behind its pass, or in split parts already completed, and read by nothing after (an edit not
 *   mirrored, or a room seen nowhere, which a full run may judge deleted). The price is the
 *   rest's size: it holds every room stamped in the last `skewSeconds`, not only the run's edits,
 *   so it takes more pages, and under edits steadier than its passes it may never hold still; the
 *   run then judges no deletions (OpenWindowUnsettled), which errs safe. Only a header does better.
 */
export function clockReached(page: Pick<ListPage, "date">, askedAt: number, skewSeconds: number): number {
  const header = page.date ? Date.parse(page.date) : Number.NaN;
  if (!Number.isNaN(header)) return Math.floor(header / 1000);
  return Math.floor(askedAt) - skewSeconds;
}

/** Offsets of every page of a window of `count` items; always at least the first page. */
export function pageOffsets(count: number, pageSize: number): number[] {
  const pages = Math.max(1, Math.ceil(count / pageSize));
  return Array.from({ length: pages }, (_, i) => i * pageSize);
}

/**
 * What the tally counts: room IDs, and for items that cannot be mirrored (they are in `count`
 * too) their `room_id` if they have one, else a hash of their content.
 */
export function itemKeys(page: ListPage): string[] {
  const keys = page.rooms.map((room) => room.room_id);
  for (const invalid of page.invalid) {
    const id = (invalid.item as { room_id?: unknown } | null)?.room_id;
    keys.push(
      typeof id === "string" && id
        ? id
        : `invalid:${createHash("sha1")
            .update(JSON.stringify(invalid.item) ?? "")
            .digest("hex")}`,
    );
  }
  return keys;
}

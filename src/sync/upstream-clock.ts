import { isPlainUtcSecond } from "./plain-utc-second.js";

type Stamped = { update_time?: string | null | undefined; create_time?: string | null | undefined };
type StampField = keyof Stamped;

/** The parts of a page the clock learns from. */
export interface ClockEvidence {
  /** The response's `Date` header, when it had one. */
  date?: string | undefined;
  rooms: ReadonlyArray<Stamped & { room_id?: string | undefined }>;
}

/** A room stamped later than the upstream's clock can have stood: its data, not a clock. */
export interface FutureStamp {
  roomId: string;
  field: StampField;
  /** The stamp as the upstream sent it. */
  stamp: string;
  /** The latest second a clock's stamp could be (epoch seconds). */
  limit: number;
  /** Whether `limit` came from the answer's `Date` header (else from our clock). */
  byHeader: boolean;
}

/**
 * How much later than its answer's `Date` header a room may be stamped and still count as the
 * upstream's clock: the servers that stamp rooms are not the one that sends the header, and may
 * stamp after it was taken (the simulator takes it first). A clock's stamp is never later.
 */
export const HEADER_ALLOWANCE_SECONDS = 5;

/**
 * How far ahead of ours a stamp can show the upstream's clock when no `Date` header says where it
 * stands: a day, the largest METASTUDIO_CLOCK_SKEW_SECONDS takes. No setting covers a clock
 * further off, so a room stamped later than this is bad data however the upstream runs. It bounds
 * only what is reported (the log, the metric): the reads never go by a stamp (see
 * readingOffsetSeconds), so no choice of bound can make them read less.
 */
export const MAX_STAMP_LEAD_SECONDS = 86_400;

/** Rooms named as stamped in the future per run: a hostile list could hold one per room. */
const MAX_FUTURE_STAMPS = 10;

/**
 * How far the upstream's clock runs ahead of ours (negative: behind), from what its answers say.
 * The `Date` header, when present, says where its clock stands either way (to the second, plus
 * latency); a room stamped later than our now shows it at least that far ahead, unless the stamp
 * is later than a clock can be (after the header plus HEADER_ALLOWANCE_SECONDS, or without one,
 * more than MAX_STAMP_LEAD_SECONDS after ours): such a room is the upstream's bad data (an
 * `update_time` in 2099), kept in `futureStamps` to be named, and proves nothing about its clock.
 * Without a header, an upstream behind us cannot be measured: the skew tolerance covers it.
 */
export class UpstreamClock {
  private stampedAhead = Number.NEGATIVE_INFINITY;
  private headerOffset: number | undefined;
  private readonly future = new Map<string, FutureStamp>();
  private unnamed = false;

  /** Records one answer received at `receivedAt` (our clock). */
  observe(evidence: ClockEvidence, receivedAt: Date): void {
    const ours = receivedAt.getTime() / 1000;
    const header = evidence.date ? Date.parse(evidence.date) : Number.NaN;
    // Second precision: the header's second may have started up to a second before it was sent.
    if (!Number.isNaN(header)) this.headerOffset = Math.round(header / 1000 - ours);
    const { limit, byHeader } = clockStampLimit(evidence.date, ours);
    const latest = latestClockStamp(evidence.rooms, limit, (room, field, stamp) =>
      this.name({ roomId: String(room.room_id), field, stamp, limit, byHeader }),
    );
    if (latest !== undefined) this.stampedAhead = Math.max(this.stampedAhead, latest - ours);
  }

  /**
   * The best estimate, in whole seconds, for the log and the metric: never less than what the
   * stamps a clock could have made prove.
   */
  get offsetSeconds(): number {
    if (this.headerOffset === undefined) return Math.ceil(Math.max(0, this.stampedAhead));
    return Math.ceil(Math.max(this.headerOffset, this.stampedAhead));
  }

  /**
   * The offset the run's reads go by: the `Date` header's, or 0 without one; never a stamp's.
   * The promise is that nothing the upstream holds is missed and nothing it holds is called
   * deleted, so this may err only low, where the reads take more. A higher offset starts the
   * closing read no later than the settled span ends (closingWindow), but it stops following the
   * list's head sooner (editsSince), and an edit made during the run then waits for a later run.
   * The header is the upstream's clock itself, and errs low (its truncated second, the latency).
   * A stamp may be bad data even within the limits above, and no answer tells which: a room
   * stamped an hour ahead, taken as the clock of an upstream on time (or behind, within the
   * tolerance), stops the head an hour too soon. Our clock instead costs an upstream that does run
   * ahead and sends no header only a longer read of the head (edits made in its lead look recent)
   * and perhaps a page of the open window cut before it is paged (see CollectOptions.liveAfter).
   */
  get readingOffsetSeconds(): number {
    return this.headerOffset ?? 0;
  }

  /** Whether anything was measured at all (a header, or a stamp ahead of us). */
  get measured(): boolean {
    return this.headerOffset !== undefined || this.stampedAhead > 0;
  }

  /** Rooms stamped later than a clock can be, each once (the first MAX_FUTURE_STAMPS). */
  get futureStamps(): FutureStamp[] {
    return [...this.future.values()];
  }

  /** Whether more rooms were stamped in the future than `futureStamps` names. */
  get moreFutureStamps(): boolean {
    return this.unnamed;
  }

  private name(future: FutureStamp): void {
    if (this.future.has(future.roomId)) return;
    if (this.future.size < MAX_FUTURE_STAMPS) this.future.set(future.roomId, future);
    else this.unnamed = true;
  }
}

/**
 * The latest second a stamp the upstream's clock made can show, in an answer received at
 * `receivedAt` (our clock, epoch seconds): its `Date` header plus HEADER_ALLOWANCE_SECONDS, or
 * without a header, ours plus MAX_STAMP_LEAD_SECONDS. A room stamped later is the upstream's bad
 * data (an `update_time` in 2099), and says nothing of its clock or of when the room was edited.
 */
export function clockStampLimit(
  date: string | undefined,
  receivedAt: number,
): { limit: number; byHeader: boolean } {
  const header = date ? Date.parse(date) : Number.NaN;
  if (Number.isNaN(header))
    return { limit: Math.floor(receivedAt) + MAX_STAMP_LEAD_SECONDS, byHeader: false };
  return { limit: Math.floor(header / 1000) + HEADER_ALLOWANCE_SECONDS, byHeader: true };
}

/**
 * The latest stamp among `rooms` a clock could have made (no later than `limit`, see
 * clockStampLimit), in seconds; `beyond` hears of each stamp past it. Both what the run reports
 * of the upstream's clock (UpstreamClock) and whether an open window is being edited while it is
 * read (collectWindow) go by it: one room stamped in 2099 would otherwise count as the newest edit
 * of every answer it is in.
 */
export function latestClockStamp<Room extends Stamped>(
  rooms: ReadonlyArray<Room>,
  limit: number,
  beyond?: (room: Room, field: StampField, stamp: string) => void,
): number | undefined {
  const latest = latestStamp(rooms);
  // Only a page holding a room stamped past the limit is looked at room by room.
  if (latest === undefined || latest <= limit) return latest;
  let within: number | undefined;
  for (const room of rooms) {
    for (const field of ["update_time", "create_time"] as const) {
      const stamp = room[field];
      if (!stamp) continue;
      const seconds = Math.floor(stampMillis(stamp) / 1000);
      if (seconds > limit) beyond?.(room, field, stamp);
      else if (seconds > (within ?? Number.NEGATIVE_INFINITY)) within = seconds;
    }
  }
  return within;
}

/**
 * The latest `update_time` or `create_time` among `rooms`, in seconds. No stamp can be later than
 * the upstream's now when it answered, so anything stamped from then on lands after it.
 */
export function latestStamp(rooms: ReadonlyArray<Stamped>): number | undefined {
  // Every page of a run comes through here, two or three times. Stamps in the documented form
  // order as text as they do in time, so they are compared as text and only the latest is parsed:
  // a parse per page instead of two per room (Date.parse was ~2% of a first full sync's CPU).
  let latestPlain: string | undefined;
  let latest = Number.NEGATIVE_INFINITY;
  const take = (stamp: string | null | undefined) => {
    if (!stamp) return;
    if (!isPlainUtcSecond(stamp)) latest = Math.max(latest, stampMillis(stamp));
    else if (latestPlain === undefined || stamp > latestPlain) latestPlain = stamp;
  };
  for (const room of rooms) {
    take(room.update_time);
    take(room.create_time);
  }
  if (latestPlain !== undefined) latest = Math.max(latest, Date.parse(latestPlain));
  return latest === Number.NEGATIVE_INFINITY ? undefined : Math.floor(latest / 1000);
}

function stampMillis(value: string): number {
  const millis = Date.parse(value);
  return Number.isNaN(millis) ? Number.NEGATIVE_INFINITY : millis;
}

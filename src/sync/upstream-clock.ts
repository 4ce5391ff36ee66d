import { isPlainUtcSecond } from "./plain-utc-second.js";

/** The parts of a page the clock learns from. */
export interface ClockEvidence {
  /** The response's `Date` header, when it had one. */
  date?: string | undefined;
  rooms: ReadonlyArray<{ update_time?: string | null | undefined; create_time?: string | null | undefined }>;
}

/**
 * How far the upstream's clock runs ahead of ours (negative: behind), from what its answers say.
 * A room stamped later than our now proves the upstream at least that far ahead; the `Date`
 * header, when present, says where its clock stands either way (to the second, plus latency).
 * Without a header, an upstream behind us cannot be measured: the skew tolerance covers it.
 */
export class UpstreamClock {
  private stampedAhead = Number.NEGATIVE_INFINITY;
  private headerOffset: number | undefined;

  /** Records one answer received at `receivedAt` (our clock). */
  observe(evidence: ClockEvidence, receivedAt: Date): void {
    const ours = receivedAt.getTime() / 1000;
    const latest = latestStamp(evidence.rooms);
    if (latest !== undefined) this.stampedAhead = Math.max(this.stampedAhead, latest - ours);
    const header = evidence.date ? Date.parse(evidence.date) : Number.NaN;
    // Second precision: the header's second may have started up to a second before it was sent.
    if (!Number.isNaN(header)) this.headerOffset = Math.round(header / 1000 - ours);
  }

  /** The best estimate, in whole seconds: never less than what the stamps prove. */
  get offsetSeconds(): number {
    if (this.headerOffset === undefined) return Math.ceil(Math.max(0, this.stampedAhead));
    return Math.ceil(Math.max(this.headerOffset, this.stampedAhead));
  }

  /** Whether anything was measured at all (a header, or a stamp ahead of us). */
  get measured(): boolean {
    return this.headerOffset !== undefined || this.stampedAhead > 0;
  }
}

/**
 * The latest `update_time` or `create_time` among `rooms`, in seconds. No stamp can be later than
 * the upstream's now when it answered, so anything stamped from then on lands after it.
 */
export function latestStamp(rooms: ClockEvidence["rooms"]): number | undefined {
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

import { NO_CHURN, type Churn } from "./churn.js";
import type { ListBehaviour } from "./room-store.js";

export interface SimulatorBehaviour extends ListBehaviour {
  /** Added to every response. @default 0 */
  latencyMs: number;
  /** Share of list requests answered 500 `MSS.00000004`. @default 0 */
  error5xxRate: number;
  /** Share answered 429 `APIGW.0308` with `Retry-After`. @default 0 */
  throttleRate: number;
  /** @default 1 */
  retryAfterSeconds: number;
  /** Requests per second (the whole simulator, like a tenant) beyond which 429s come. @default undefined */
  rateLimitPerSecond: number | undefined;
  /** Share of connections destroyed without an answer. @default 0 */
  resetRate: number;
  /** Share of 200 bodies cut short: full Content-Length, half the bytes. @default 0 */
  truncateRate: number;
  /** Rooms created, updated and deleted just before each list response is computed. @default 0 each */
  mutationsPerRequest: { create: number; update: number; delete: number };
  /**
   * A steady stream of creations, edits and deletions at a rate per request and/or per second,
   * drawn from a PRNG of its own (see Churn). @default no churn
   */
  churn: Churn;
  /**
   * How far the upstream's clock is ahead of ours (negative: behind). Every time it stamps on a
   * room it creates or edits, its IAM and signature checks, and its `Date` header use our clock
   * plus this. @default 0
   */
  clockOffsetSeconds: number;
  /** Lifetime of issued IAM tokens. @default 86400 */
  tokenTtlSeconds: number;
  /** `X-Sdk-Date` tolerance. @default 900 */
  maxSkewSeconds: number;
}

/** A faithful upstream: no latency, no faults, no edits of its own. */
export const DEFAULT_BEHAVIOUR: Readonly<SimulatorBehaviour> = {
  timeFilterField: "update_time",
  endTimeInclusive: true,
  order: "update_time_desc",
  unstableOrder: false,
  latencyMs: 0,
  error5xxRate: 0,
  throttleRate: 0,
  retryAfterSeconds: 1,
  rateLimitPerSecond: undefined,
  resetRate: 0,
  truncateRate: 0,
  mutationsPerRequest: { create: 0, update: 0, delete: 0 },
  churn: NO_CHURN,
  clockOffsetSeconds: 0,
  tokenTtlSeconds: 86_400,
  maxSkewSeconds: 900,
};

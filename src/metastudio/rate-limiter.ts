import type { Redis } from "ioredis";
import type { RateLimiterAbstract } from "rate-limiter-flexible";
// The limiters used, not the package's index: it loads all of its two dozen stores (Mongo, MySQL,
// DynamoDB, etcd, cluster IPC, ...), 170 KB of the sync's code, in every process.
import RateLimiterMemory from "rate-limiter-flexible/lib/RateLimiterMemory.js";
import RateLimiterRedis from "rate-limiter-flexible/lib/RateLimiterRedis.js";
import RateLimiterRes from "rate-limiter-flexible/lib/RateLimiterRes.js";

import { DEFAULT_MAX_RETRY_AFTER_MS, sleep } from "./backoff.js";

/** Paces upstream requests; every attempt, retries included, waits for a slot first. */
export interface RateLimiter {
  /** Resolves when a request may be sent; rejects with the signal's reason when it aborts first. */
  acquire(signal?: AbortSignal): Promise<void>;
  /**
   * The upstream said "too many" (a 429 with `Retry-After`): everyone sharing this limiter holds
   * off for `retryAfterMs`, not only the request that was refused.
   */
  penalize?(retryAfterMs: number): void | Promise<void>;
  close?(): Promise<void>;
}

/** The shortest slice of time that gets its own budget; finer would only add store round trips. */
const MIN_SLICE_MS = 100;
const PENALTY_KEY = "penalty";

/**
 * Budget per slice of wall-clock time. A plain 1-second window lets a burst at the end of one
 * window and another at the start of the next through together: 2x the rate in a second, which
 * at the default 8/s is over the upstream's 10/s. Slices of `1000 / perSecond` ms with one
 * request each cap any wall-clock second at `perSecond` and any rolling second at one more.
 */
export function sliceFor(perSecond: number): { sliceMs: number; points: number } {
  const sliceMs = Math.max(MIN_SLICE_MS, Math.ceil(1000 / perSecond));
  return { sliceMs, points: Math.max(1, Math.floor((perSecond * sliceMs) / 1000)) };
}

class SlicedRateLimiter implements RateLimiter {
  private readonly sliceMs: number;
  private readonly maxPenaltyMs: number;

  constructor(
    private readonly slots: RateLimiterAbstract,
    private readonly penalty: RateLimiterAbstract,
    sliceMs: number,
    maxPenaltyMs: number,
  ) {
    this.sliceMs = sliceMs;
    this.maxPenaltyMs = holdCapMs(maxPenaltyMs);
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const blocked = await this.penalty.get(PENALTY_KEY);
      if (blocked !== null && blocked.consumedPoints > 0 && blocked.msBeforeNext > 0) {
        // A hold longer than this deployment's cap (another deployment's, with a higher cap, on
        // the same prefix) is cut to it for everyone, or the account would wait past the cap.
        if (blocked.msBeforeNext > this.maxPenaltyMs) {
          await this.penalty.block(PENALTY_KEY, Math.ceil(this.maxPenaltyMs / 1000));
        }
        await sleep(Math.min(blocked.msBeforeNext, this.maxPenaltyMs), signal);
        continue;
      }
      const now = Date.now();
      const slice = Math.floor(now / this.sliceMs);
      try {
        await this.slots.consume(String(slice), 1);
        return;
      } catch (rejection) {
        // A store failure (Redis down) is not "wait": it surfaces to the caller.
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        // A few ms of jitter so waiters do not all hit the store at the same instant.
        const untilNext = (slice + 1) * this.sliceMs - now;
        await sleep(untilNext + Math.floor(Math.random() * 10), signal);
      }
    }
  }

  async penalize(askedMs: number): Promise<void> {
    if (!(askedMs > 0)) return;
    // The hold is shared by every project and worker of the account: an uncapped one (a 429
    // asking for ten hours) would stop all of them for that long.
    const retryAfterMs = Math.min(askedMs, this.maxPenaltyMs);
    const current = await this.penalty.get(PENALTY_KEY);
    // Never shorten a longer hold another 429 asked for.
    if (current !== null && current.consumedPoints > 0 && current.msBeforeNext >= retryAfterMs) return;
    await this.penalty.block(PENALTY_KEY, Math.ceil(retryAfterMs / 1000));
  }
}

/**
 * The longest hold, in the whole seconds the store's `block` keeps. A cap under half a second
 * never let a waiter through: the hold written was a whole second, a waiter sleeping the cap woke
 * to more than the cap left, cut the hold to the cap (that is, wrote the second again), and slept.
 */
export function holdCapMs(maxPenaltyMs: number): number {
  return Math.max(1, Math.ceil(maxPenaltyMs / 1000)) * 1000;
}

/** Seconds a slice's counter lives: only garbage collection, the key changes every slice. */
function expirySeconds(sliceMs: number): number {
  return Math.ceil(sliceMs / 1000) + 1;
}

/**
 * One process's limiter: right for `sync`, which is one process.
 * @param perSecond requests per second for the whole account
 * @param maxPenaltyMs longest hold a 429 can impose (METASTUDIO_MAX_RETRY_AFTER_SECONDS)
 */
export function createMemoryRateLimiter(
  perSecond: number,
  maxPenaltyMs: number = DEFAULT_MAX_RETRY_AFTER_MS,
): RateLimiter {
  const { sliceMs, points } = sliceFor(perSecond);
  return new SlicedRateLimiter(
    new RateLimiterMemory({ points, duration: expirySeconds(sliceMs), keyPrefix: "slot" }),
    new RateLimiterMemory({ points: 0, duration: 1, keyPrefix: "hold" }),
    sliceMs,
    maxPenaltyMs,
  );
}

/**
 * One limiter for every process sharing `redis` and `keyPrefix` (use one prefix per account): how
 * worker replicas together stay under the account's limit, and how one 429 slows all of them.
 * Slices follow each host's clock, so hosts should run NTP, as servers do.
 */
export function createRedisRateLimiter(
  redis: Redis,
  perSecond: number,
  keyPrefix: string,
  maxPenaltyMs: number = DEFAULT_MAX_RETRY_AFTER_MS,
): RateLimiter {
  const { sliceMs, points } = sliceFor(perSecond);
  return new SlicedRateLimiter(
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${keyPrefix}:slot`,
      points,
      duration: expirySeconds(sliceMs),
    }),
    new RateLimiterRedis({ storeClient: redis, keyPrefix: `${keyPrefix}:hold`, points: 0, duration: 1 }),
    sliceMs,
    maxPenaltyMs,
  );
}

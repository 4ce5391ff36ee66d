import type { Redis } from "ioredis";
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";

import { sleep } from "./backoff.js";

/** Paces upstream requests; every attempt, retries included, waits for a slot first. */
export interface RateLimiter {
  acquire(signal?: AbortSignal): Promise<void>;
  /** The upstream said "too many" (429 with Retry-After): everyone sharing this limiter waits. */
  penalize?(retryAfterMs: number): Promise<void>;
  close?(): Promise<void>;
}

const KEY = "metastudio-requests";

/** Points per window: whole requests per second, or one request per N seconds below 1/s. */
function windowFor(perSecond: number): { points: number; duration: number } {
  return perSecond >= 1
    ? { points: Math.floor(perSecond), duration: 1 }
    : { points: 1, duration: Math.ceil(1 / perSecond) };
}

class FlexibleRateLimiter implements RateLimiter {
  constructor(private readonly limiter: RateLimiterAbstract) {}

  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      try {
        await this.limiter.consume(KEY, 1);
        return;
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        await sleep(Math.max(1, rejection.msBeforeNext), signal);
      }
    }
  }

  async penalize(retryAfterMs: number): Promise<void> {
    await this.limiter.block(KEY, Math.max(1, Math.ceil(retryAfterMs / 1000)));
  }
}

/** One process's limiter: right for `sync`, which is one process. */
export function createMemoryRateLimiter(perSecond: number): RateLimiter {
  return new FlexibleRateLimiter(new RateLimiterMemory(windowFor(perSecond)));
}

/**
 * One limiter for every process sharing `redis` and `keyPrefix`: how worker replicas together
 * stay under the account's limit, and how one 429 slows all of them down.
 */
export function createRedisRateLimiter(redis: Redis, perSecond: number, keyPrefix: string): RateLimiter {
  return new FlexibleRateLimiter(
    new RateLimiterRedis({ storeClient: redis, keyPrefix, ...windowFor(perSecond) }),
  );
}

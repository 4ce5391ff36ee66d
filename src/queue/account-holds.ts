import type { Redis } from "ioredis";

import { DEFAULT_MAX_RETRY_AFTER_MS } from "../metastudio/backoff.js";
import { SYNC_QUEUE_NAME } from "./sync-queue.js";

/**
 * Per-account pauses after the upstream kept answering 429: the throttled account's jobs wait,
 * every other account's keep running. One Redis key per account with the hold as its TTL, so
 * every worker process sees it and it ends by itself. (BullMQ's `worker.rateLimit` would hold
 * every project of every account.)
 */
export class AccountHolds {
  /**
   * @param maxHoldMs Longest hold this deployment waits out (METASTUDIO_MAX_RETRY_AFTER_SECONDS).
   *   @default 60000
   */
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly maxHoldMs: number = DEFAULT_MAX_RETRY_AFTER_MS,
  ) {}

  /** Holds the account for at least `ms`; a longer hold already set is kept. */
  async hold(accountKey: string, ms: number): Promise<void> {
    const key = this.key(accountKey);
    const left = await this.redis.pttl(key);
    if (left >= ms) return;
    await this.redis.set(key, String(Date.now() + ms), "PX", Math.max(1, Math.ceil(ms)));
  }

  /** Milliseconds the account is still held; 0 when it is not. */
  async remainingMs(accountKey: string): Promise<number> {
    const key = this.key(accountKey);
    const left = await this.redis.pttl(key);
    // A longer hold than ours (set by a deployment with a higher cap on the same prefix, or by
    // hand) is cut to our cap for everyone, so the account's jobs never wait past it.
    if (left > this.maxHoldMs) {
      await this.redis.pexpire(key, Math.max(1, Math.ceil(this.maxHoldMs)));
      return this.maxHoldMs;
    }
    return Math.max(0, left);
  }

  private key(accountKey: string): string {
    return `${this.prefix}:${SYNC_QUEUE_NAME}:account-hold:${accountKey}`;
  }
}

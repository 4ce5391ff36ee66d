import type { Redis } from "ioredis";

import { SYNC_QUEUE_NAME } from "./sync-queue.js";

/**
 * Per-account pauses after the upstream kept answering 429: the throttled account's jobs wait,
 * every other account's keep running. One Redis key per account with the hold as its TTL, so
 * every worker process sees it and it ends by itself. (BullMQ's `worker.rateLimit` would hold
 * every project of every account.)
 */
export class AccountHolds {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
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
    return Math.max(0, await this.redis.pttl(this.key(accountKey)));
  }

  private key(accountKey: string): string {
    return `${this.prefix}:${SYNC_QUEUE_NAME}:account-hold:${accountKey}`;
  }
}

import type { Redis } from "ioredis";

import type { Logger } from "../logger.js";

/**
 * Fails fast, naming REDIS_URL, when Redis does not answer, and warns when it may evict keys:
 * BullMQ keeps jobs, locks and schedulers in plain keys, and an evicting Redis (`allkeys-lru`,
 * common on caches) drops them silently under memory pressure, so runs vanish or repeat.
 */
export async function checkRedis(redis: Redis, logger: Logger, timeoutMs = 10_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (cause) {
    // The URL is not repeated: it may carry a password.
    throw new Error(`Redis at REDIS_URL does not answer: ${messageOf(cause)}.`, { cause });
  } finally {
    clearTimeout(timer);
  }
  let policy: string | undefined;
  try {
    const reply = (await redis.call("CONFIG", "GET", "maxmemory-policy")) as string[];
    policy = reply[1];
  } catch (cause) {
    // Managed Redis services often disable CONFIG; that is not a reason to refuse to start.
    logger.info({ err: cause }, "could not read Redis maxmemory-policy; make sure it is noeviction");
    return;
  }
  if (policy !== undefined && policy !== "noeviction") {
    logger.warn(
      { maxmemory_policy: policy },
      "Redis maxmemory-policy is not noeviction: under memory pressure it may evict BullMQ's jobs " +
        "and locks; set maxmemory-policy noeviction",
    );
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

import { Redis } from "ioredis";

import { redisDatabase } from "../config/check-settings.js";
import { ConfigError } from "../config/config-error.js";
import { withoutCommandArgs } from "../without-command-args.js";

/**
 * A Redis connection for a command someone is waiting on (`resync`, `status`): a few connection
 * attempts, then an error naming REDIS_URL, instead of ioredis's default of retrying forever
 * (BullMQ would wait for it just as long). The URL is not repeated: it may carry a password.
 * @param timeoutMs how long the first connection may take
 */
export async function connectRedis(url: string, timeoutMs = 10_000): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 2,
    retryStrategy: (times) => (times > 3 ? null : 200 * times),
  });
  // Reported once, below or through the command that fails; kept for its reason (ECONNREFUSED
  // says more than the "Connection is closed" the final rejection carries).
  let lastError: Error | undefined;
  redis.on("error", (error: Error) => (lastError = error));
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (cause) {
    redis.disconnect();
    const reason = (lastError ?? (cause instanceof Error ? cause : new Error(String(cause)))).message;
    throw new Error(`Redis at REDIS_URL does not answer: ${reason.replace(/\.$/, "")}.`, {
      // A refused AUTH carries the command with its args, REDIS_URL's password: not kept.
      cause: withoutCommandArgs(lastError ?? cause),
    });
  } finally {
    clearTimeout(timer);
  }
  await selectDatabase(redis, url);
  return redis;
}

/**
 * ioredis selects the URL's database in the background, and when Redis refuses (`/99` on a
 * server with 16) it goes on in database 0: another deployment's jobs. Asked here, and awaited.
 */
async function selectDatabase(redis: Redis, url: string): Promise<void> {
  const db = redisDatabase(url);
  if (db === 0) return;
  try {
    await redis.select(db);
  } catch (cause) {
    redis.disconnect();
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new ConfigError(`REDIS_URL selects database ${db}, which this Redis refuses (${reason}).`, {
      cause,
    });
  }
}

import type { Redis } from "ioredis";

/** QUIT waits for Redis to answer; a connection that is down is simply dropped. */
export async function quitRedis(redis: Redis): Promise<void> {
  if (redis.status !== "ready") {
    redis.disconnect();
    return;
  }
  await redis.quit().catch(() => redis.disconnect());
}

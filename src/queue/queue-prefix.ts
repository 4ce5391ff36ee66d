import { ConfigError } from "../config/config-error.js";
import { readEnv, type Env } from "../config/read-env.js";

const PREFIX = /^[A-Za-z0-9_.{}-]{1,64}$/;

/**
 * `QUEUE_PREFIX`: the BullMQ key prefix. Every worker, `resync` and `status` of one deployment
 * must agree on it; two deployments sharing a Redis must not. The upstream rate limit is shared
 * under the same prefix, so deployments on one MetaStudio account should share it too.
 * @default "bull"
 */
export function readQueuePrefix(env: Env): string {
  const prefix = readEnv(env, "QUEUE_PREFIX") ?? "bull";
  if (!PREFIX.test(prefix)) {
    throw new ConfigError(
      `QUEUE_PREFIX must be 1 to 64 letters, digits, or . _ - { }; got ${JSON.stringify(prefix)}.`,
    );
  }
  return prefix;
}

/** Fails with a ConfigError naming REDIS_URL for the commands that cannot work without it. */
export function requireRedisUrl(redisUrl: string | undefined, command: string): string {
  if (redisUrl === undefined) {
    throw new ConfigError(
      `REDIS_URL is not set; \`${command}\` uses the job queue in Redis (e.g. redis://127.0.0.1:6379).`,
    );
  }
  return redisUrl;
}

import { type Env, readNumber } from "./read-env.js";

/** Bounds on what the upstream may make this service do; every one can be raised by a user. */
export interface UpstreamLimits {
  /**
   * Longest `Retry-After` honoured, by the client's sleep, the shared limiter and the worker's
   * queue hold alike; a longer one is cut to this with a warning. @default 60000
   */
  maxRetryAfterMs: number;
  /** Largest response body read from MetaStudio or IAM, counted while it streams. @default 33554432 */
  maxBodyBytes: number;
}

export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

/** METASTUDIO_MAX_RETRY_AFTER_SECONDS and METASTUDIO_MAX_BODY_BYTES, errors naming the variable. */
export function readUpstreamLimits(env: Env): UpstreamLimits {
  const retryAfterSeconds = readNumber(env, "METASTUDIO_MAX_RETRY_AFTER_SECONDS", 60, {
    min: 1,
    max: 86_400,
    integer: true,
  });
  return {
    maxRetryAfterMs: retryAfterSeconds * 1000,
    maxBodyBytes: readNumber(env, "METASTUDIO_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, {
      min: 64 * 1024,
      max: 2 ** 31 - 1,
      integer: true,
    }),
  };
}

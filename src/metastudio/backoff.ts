/**
 * When to try again, as pure functions: the client does the waiting, these only decide. Kept
 * apart from the I/O so the policy can be tested number by number.
 */

/**
 * The longest `Retry-After` honoured unless configured otherwise (METASTUDIO_MAX_RETRY_AFTER_SECONDS).
 * One 429 asking for ten hours would otherwise hold every project of the account for ten hours;
 * past the cap we ask again, and a still-busy upstream just answers 429 once more.
 */
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

/** `Retry-After` as honoured: at most `maxMs`, and whether it had to be cut (worth a warning). */
export function capRetryAfter(askedMs: number, maxMs: number): { ms: number; capped: boolean } {
  if (!(askedMs > maxMs)) return { ms: Math.max(0, askedMs), capped: false };
  return { ms: maxMs, capped: true };
}

export interface BackoffOptions {
  /** Cap of the first retry's delay; doubles with every attempt. @default 200 */
  baseMs: number;
  /** Cap of any retry's delay. @default 20000 */
  maxMs: number;
  /** Longest `Retry-After` honoured. @default DEFAULT_MAX_RETRY_AFTER_MS */
  maxRetryAfterMs?: number;
}

/**
 * Exponential backoff with full jitter: a uniform delay between zero and `base * 2^(attempt-1)`,
 * capped. Full jitter rather than a fixed ladder so that clients that failed together (a 503 for
 * everyone) do not retry together.
 * @param attempt the attempt that just failed, from 1
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const cap = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * cap);
}

/**
 * `Retry-After` in milliseconds: delta-seconds or an HTTP date (RFC 9110 allows both). Undefined
 * when absent or unreadable, so the caller falls back to its own backoff.
 */
export function parseRetryAfter(value: string | undefined, now: Date = new Date()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // Only a real date: Date.parse accepts fragments like "12" that are not one.
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}

export type RetryDecision =
  | { action: "retry"; delayMs: number }
  /** MetaStudio refused a credential that can be replaced (an IAM token): renew and retry at once. */
  | { action: "renew" }
  | { action: "give-up" };

export interface FailureFacts {
  status: number | undefined;
  retryable: boolean;
  retryAfterMs: number | undefined;
}

/**
 * What to do after attempt `attempt` failed. A 401 gets one renewal when the credential is
 * renewable, whatever the attempt count, since it is a different question (is the token stale?)
 * from "is the upstream flaky". Retryable failures wait the larger of the jittered backoff and
 * the upstream's `Retry-After`: asking again sooner than told only earns another 429.
 */
export function decideRetry(
  failure: FailureFacts,
  state: { attempt: number; maxAttempts: number; canRenew: boolean },
  options: BackoffOptions,
  random: () => number = Math.random,
): RetryDecision {
  if (failure.status === 401 && state.canRenew) return { action: "renew" };
  if (!failure.retryable || state.attempt >= state.maxAttempts) return { action: "give-up" };
  const backoff = backoffDelay(state.attempt, options, random);
  const told = capRetryAfter(
    failure.retryAfterMs ?? 0,
    options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS,
  ).ms;
  return { action: "retry", delayMs: Math.max(backoff, told) };
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException("The operation was aborted", "AbortError");
}

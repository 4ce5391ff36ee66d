import { ConfigError } from "../config/config-error.js";
import { DEFAULT_MAX_RETRY_AFTER_MS } from "../metastudio/backoff.js";
import { MetaStudioError } from "../metastudio/metastudio-error.js";
import { RunBudgetExceededError } from "../sync/run-budget.js";
import { MassDeleteRefusedError, RunInProgressError } from "../sync/sync-errors.js";

/**
 * What the worker does with a failed run:
 * - `busy`: another process holds the project; nothing ran, try again later;
 * - `throttled`: the upstream kept answering 429 past the client's retries; hold the whole queue;
 * - `unrecoverable`: retrying cannot help (refused credentials, a bad request, configuration,
 *   a proxy refusing the tunnel for its credentials or policy, a refused mass deletion); fail the
 *   job now instead of after every backoff;
 * - `retry`: anything else; the job's attempts and exponential backoff apply.
 */
export type SyncFailure =
  | { kind: "busy" }
  | { kind: "throttled"; retryAfterMs: number }
  | { kind: "unrecoverable"; reason: string }
  | { kind: "retry" };

/** Statuses that are answers about the request or the credentials, the same on every try. */
const UNRECOVERABLE_STATUSES = new Set([400, 401, 403, 404]);

/**
 * @param defaultThrottleMs hold when a 429 named no `Retry-After`
 * @param maxThrottleMs longest hold whatever the 429 asked: the hold stops every project
 */
export function classifySyncFailure(
  error: unknown,
  defaultThrottleMs: number,
  maxThrottleMs: number = DEFAULT_MAX_RETRY_AFTER_MS,
): SyncFailure {
  if (findCause(error, RunInProgressError)) return { kind: "busy" };
  if (findCause(error, ConfigError)) return { kind: "unrecoverable", reason: "configuration" };
  if (findCause(error, RunBudgetExceededError)) return { kind: "unrecoverable", reason: "run budget spent" };
  if (findCause(error, MassDeleteRefusedError))
    return { kind: "unrecoverable", reason: "mass delete refused" };
  const upstream = findCause(error, MetaStudioError);
  if (upstream?.throttled) {
    const asked = upstream.retryAfterSeconds === undefined ? 0 : upstream.retryAfterSeconds * 1000;
    // The cap wins over the least hold too: a user who lowered it asked for no longer pause.
    return { kind: "throttled", retryAfterMs: Math.min(Math.max(asked, defaultThrottleMs), maxThrottleMs) };
  }
  if (upstream?.status !== undefined && UNRECOVERABLE_STATUSES.has(upstream.status)) {
    return { kind: "unrecoverable", reason: `upstream answered ${upstream.status}` };
  }
  // The proxy's user and password (407) or its policy (403): only the operator can change them.
  if (upstream?.proxyStatus === 407 || upstream?.proxyStatus === 403) {
    return { kind: "unrecoverable", reason: `the proxy answered ${upstream.proxyStatus}` };
  }
  return { kind: "retry" };
}

/** The error or the first of its causes of that class; the engine may wrap what it rethrows. */
function findCause<T extends Error>(
  error: unknown,
  type: abstract new (...args: never[]) => T,
): T | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 10; depth += 1) {
    if (current instanceof type) return current;
    current = current.cause;
  }
  return undefined;
}

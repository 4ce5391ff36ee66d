import { type Env, readNumber } from "./read-env.js";

/**
 * How many requests and how much wall time one run may take (see RunBudget in src/sync): a base,
 * plus an allowance per page (100 rooms) the upstream reported: its largest `count`, or its
 * planned windows' counts added up when that is more. The defaults leave a real MetaStudio ten
 * times the requests it needs; a user whose upstream is slower than two seconds a page, or whose
 * windows split deeper, raises them.
 */
export interface RunBudgetSettings {
  /** Requests any run may make, whatever the count (SYNC_RUN_REQUESTS). @default 500 */
  baseRequests: number;
  /** Requests allowed per page of the reported rooms (SYNC_RUN_REQUESTS_PER_PAGE). @default 10 */
  requestsPerPage: number;
  /** Wall time any run may take (SYNC_RUN_SECONDS). @default 600000 */
  baseMs: number;
  /** Wall time allowed per page of the reported rooms (SYNC_RUN_SECONDS_PER_PAGE). @default 2000 */
  msPerPage: number;
}

/** SYNC_RUN_REQUESTS, SYNC_RUN_REQUESTS_PER_PAGE, SYNC_RUN_SECONDS, SYNC_RUN_SECONDS_PER_PAGE. */
export function readRunBudget(env: Env): RunBudgetSettings {
  return {
    baseRequests: readNumber(env, "SYNC_RUN_REQUESTS", 500, { min: 1, max: 1_000_000_000, integer: true }),
    requestsPerPage: readNumber(env, "SYNC_RUN_REQUESTS_PER_PAGE", 10, {
      min: 0,
      max: 10_000,
      integer: true,
    }),
    // A year at most: a run that long is a stuck run, whatever the upstream holds.
    baseMs: readNumber(env, "SYNC_RUN_SECONDS", 600, { min: 1, max: 31_536_000 }) * 1000,
    msPerPage: readNumber(env, "SYNC_RUN_SECONDS_PER_PAGE", 2, { min: 0, max: 3600 }) * 1000,
  };
}

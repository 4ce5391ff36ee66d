/**
 * How many requests and how much time one run may take, derived from the `count` the upstream
 * reports. A `count` that lies (4,000 rooms, every page empty) otherwise makes the run split
 * windows and page them forever with the project lock held; with a budget it fails with a
 * message saying so, and the next run tries again.
 */

/** Configured by SYNC_RUN_REQUESTS, SYNC_RUN_REQUESTS_PER_PAGE, SYNC_RUN_SECONDS, SYNC_RUN_SECONDS_PER_PAGE. */
export interface RunBudgetOptions {
  /** Requests any run may make, whatever the count. @default 500 */
  baseRequests?: number;
  /** Requests allowed per page the reported rooms need (passes, splits, retries). @default 10 */
  requestsPerPage?: number;
  /** Wall time any run may take. @default 600000 (10 minutes) */
  baseMs?: number;
  /** Wall time allowed per page the reported rooms need. @default 2000 */
  msPerPage?: number;
  /** @default 100 */
  pageSize?: number;
}

/** A run spent its budget: retrying the same way would spend it again. */
export class RunBudgetExceededError extends Error {
  override readonly name = "RunBudgetExceededError";
}

export class RunBudget {
  private requests = 0;
  private largestCount = 0;
  private largestTotal = 0;
  private readonly options: Required<RunBudgetOptions>;

  constructor(
    private readonly startedAt: number,
    options: RunBudgetOptions = {},
  ) {
    this.options = {
      baseRequests: 500,
      requestsPerPage: 10,
      baseMs: 600_000,
      msPerPage: 2000,
      pageSize: 100,
      ...options,
    };
  }

  /** A page reported `count` rooms in its window: the budget grows with the largest seen. */
  observeCount(count: number): void {
    if (Number.isFinite(count) && count > this.largestCount) this.largestCount = count;
  }

  /**
   * The planned windows' counts added up (each window's first page, once): a run in many windows
   * reads that many rooms although no single page reports more than one window's. Without it, a
   * second full run of a 100,000-room project, planned in windows of a few hundred rooms, was
   * allowed 530 requests and failed at the 531st. Split parts and later passes are not added,
   * so a lying count cannot grow the budget by making the run split.
   */
  observeTotal(total: number): void {
    if (Number.isFinite(total) && total > this.largestTotal) this.largestTotal = total;
  }

  /** Requests the run may make at the largest count seen so far. */
  get maxRequests(): number {
    return this.options.baseRequests + this.options.requestsPerPage * this.pages();
  }

  /** Milliseconds the run may take at the largest count seen so far. */
  get maxMs(): number {
    return this.options.baseMs + this.options.msPerPage * this.pages();
  }

  /** Counts one request; throws RunBudgetExceededError once either budget is spent. */
  spend(now: number): void {
    this.requests += 1;
    const elapsed = now - this.startedAt;
    if (this.requests <= this.maxRequests && elapsed <= this.maxMs) return;
    const [what, variables] =
      this.requests > this.maxRequests
        ? [
            `made ${this.requests} requests, more than the ${this.maxRequests} allowed`,
            "SYNC_RUN_REQUESTS or SYNC_RUN_REQUESTS_PER_PAGE",
          ]
        : [
            `ran ${Math.round(elapsed / 1000)} s, longer than the ${Math.round(this.maxMs / 1000)} s allowed`,
            "SYNC_RUN_SECONDS or SYNC_RUN_SECONDS_PER_PAGE",
          ];
    throw new RunBudgetExceededError(
      `The run ${what} for an upstream reporting at most ${this.rooms()} rooms: the upstream's ` +
        `count does not match the rooms it returns, so the run stopped instead of paging forever ` +
        `(if the upstream really needs more, raise ${variables}).`,
    );
  }

  private rooms(): number {
    return Math.max(this.largestCount, this.largestTotal);
  }

  private pages(): number {
    return Math.ceil(this.rooms() / this.options.pageSize);
  }
}

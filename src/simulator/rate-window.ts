/**
 * The upstream's rate limit: requests counted per second of our clock, across the whole
 * simulator, as a tenant's quota is.
 */
export class RateWindow {
  private second = 0;
  private count = 0;

  /** Counts one request made at `nowMs`; true when it goes past `limitPerSecond` in its second. */
  tally(nowMs: number, limitPerSecond: number | undefined): boolean {
    const second = Math.floor(nowMs / 1000);
    if (second !== this.second) {
      this.second = second;
      this.count = 0;
    }
    this.count += 1;
    return limitPerSecond !== undefined && this.count > limitPerSecond;
  }
}

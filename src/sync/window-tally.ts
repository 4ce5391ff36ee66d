/**
 * Decides when a window has been read completely, whatever order the upstream returns rooms in
 * and however pages shift between requests.
 *
 * The argument: a window that ends in the past can only lose rooms while we read it (a room
 * updated or created now lands in the newest window; a deleted one leaves), so two responses that
 * report the same `count` were computed over the same set. Every room returned under that count
 * belongs to that set; once the distinct ones reach the count, we have all of them. A response
 * with another count starts the tally again, because the set it describes is another one.
 */
export class WindowTally {
  private currentCount: number | undefined;
  private seen = new Set<string>();
  private counts = new Set<number>();

  /** Records one response: the window's `count` and the keys of every item it carried. */
  observe(count: number, keys: Iterable<string>): void {
    this.counts.add(count);
    if (count !== this.currentCount) {
      this.currentCount = count;
      this.seen = new Set();
    }
    for (const key of keys) this.seen.add(key);
  }

  get count(): number | undefined {
    return this.currentCount;
  }

  get complete(): boolean {
    return this.currentCount !== undefined && this.seen.size >= this.currentCount;
  }

  /** How many distinct items are still missing under the current count. */
  get missing(): number {
    return this.currentCount === undefined
      ? Number.POSITIVE_INFINITY
      : Math.max(0, this.currentCount - this.seen.size);
  }

  /** More than one count was reported since the tally began: the window changed while we read it. */
  get shifted(): boolean {
    return this.counts.size > 1;
  }

  /** Forgets which counts were seen, so the next pass can tell whether it shifted on its own. */
  startPass(): void {
    this.counts = new Set(this.currentCount === undefined ? [] : [this.currentCount]);
  }
}

/**
 * Bounds how many upstream requests one run has in flight. Waiters are served in order, so an
 * exclusive hold waiting at the head is not starved by shared slots requested after it.
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<{ weight: number; wake: () => void }> = [];

  constructor(readonly limit: number) {}

  /** Runs `task` in one slot. */
  run<T>(task: () => Promise<T>): Promise<T> {
    return this.hold(1, task);
  }

  /**
   * Runs `task` once every slot is free, holding all of them: nothing else of the run is in
   * flight meanwhile. For a window whose passes keep being disturbed: the fewer requests between
   * a pass's pages, the likelier the upstream holds still while they are read.
   */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.hold(this.limit, task);
  }

  private async hold<T>(weight: number, task: () => Promise<T>): Promise<T> {
    if (this.waiting.length > 0 || this.active + weight > this.limit) {
      // `release` counts the slots in when it wakes us.
      await new Promise<void>((wake) => this.waiting.push({ weight, wake }));
    } else {
      this.active += weight;
    }
    try {
      return await task();
    } finally {
      this.active -= weight;
      this.release();
    }
  }

  private release(): void {
    for (
      let next = this.waiting[0];
      next && this.active + next.weight <= this.limit;
      next = this.waiting[0]
    ) {
      this.waiting.shift();
      // Counted now, not when the waiter resumes, so the loop does not admit more than fit.
      this.active += next.weight;
      next.wake();
    }
  }
}

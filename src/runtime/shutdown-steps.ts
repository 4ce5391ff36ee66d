import type { Logger } from "../logger.js";

interface Step {
  /** Named in the log when the shutdown stops waiting for it. */
  name: string;
  close: () => Promise<unknown>;
}

/**
 * What the worker closes when it stops, last opened first, each once the one before it closed.
 * Any of them can wait forever on a Redis that refuses the worker (a QUIT queued for a connection
 * that never comes back), so the shutdown can stop waiting: `abandon` closes the steps not started
 * yet side by side, within a bound, and names those that never finished, for the log.
 */
export class ShutdownSteps {
  private readonly pending: Step[] = [];
  /** Steps started and not finished, by name. */
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly logger: Logger) {}

  add(name: string, close: () => Promise<unknown>): void {
    this.pending.push({ name, close });
  }

  /** Closes the step called `name` now, ahead of the order. */
  closeFirst(name: string): Promise<void> {
    const index = this.pending.findIndex((step) => step.name === name);
    return index === -1 ? Promise.resolve() : this.run(this.pending.splice(index, 1)[0]!);
  }

  /** Closes every step, last added first, one at a time; one that fails is logged and passed. */
  async closeAll(): Promise<void> {
    for (let step = this.pending.pop(); step !== undefined; step = this.pending.pop()) {
      await this.run(step);
    }
  }

  /**
   * Stops waiting in order: the steps not started yet are closed at once, side by side, and all
   * are given `waitMs`. Returns the names of those still unfinished then: they are left running.
   */
  async abandon(waitMs: number): Promise<string[]> {
    const started = [...this.running.values()];
    const rest = this.pending.splice(0).reverse();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...started, ...rest.map((step) => this.run(step))]),
      new Promise((resolve) => (timer = setTimeout(resolve, waitMs))),
    ]);
    clearTimeout(timer);
    return [...this.running.keys()];
  }

  private run(step: Step): Promise<void> {
    // Settled in a later tick whatever `close` does, so it is always in `running` until then.
    const running = Promise.resolve()
      .then(step.close)
      .then(
        () => undefined,
        (error: unknown) => this.logger.warn({ err: error, step: step.name }, "error while shutting down"),
      )
      .finally(() => this.running.delete(step.name));
    this.running.set(step.name, running);
    return running;
  }
}

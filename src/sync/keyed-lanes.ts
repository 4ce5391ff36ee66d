import { Semaphore } from "./semaphore.js";

/** A task enqueued and not yet settled: the keys it holds, and its run. */
interface Pending {
  keys: ReadonlySet<string>;
  done: Promise<void>;
}

/**
 * Runs tasks at most `limit` at once, in order of arrival, except that a task holding a key of
 * an earlier task still pending waits for that task to settle: the writer's batches, keyed by
 * their room IDs, so one room is never in two statements at once and its versions are written
 * in the order they arrived, while batches sharing no room overlap. Once a task has failed the
 * work is over: tasks not yet started are not started, and reject with that failure.
 */
export class KeyedLanes {
  private readonly pending: Pending[] = [];
  private readonly slots: Semaphore;
  private failure: { error: unknown } | undefined;

  constructor(readonly limit: number) {
    this.slots = new Semaphore(limit);
  }

  /** The first failure, if a task has failed. */
  get failed(): { error: unknown } | undefined {
    return this.failure;
  }

  run(keys: ReadonlySet<string>, task: () => Promise<void>): Promise<void> {
    const earlier = this.pending
      .filter((other) => overlaps(other.keys, keys))
      .map((other) => settled(other.done));
    const entry: Pending = {
      keys,
      done: Promise.all(earlier).then(() =>
        this.slots.run(async () => {
          if (this.failure) throw this.failure.error;
          try {
            await task();
          } catch (error) {
            // Recorded before the slot is given back, so the task it wakes sees it.
            this.failure ??= { error };
            throw error;
          }
        }),
      ),
    };
    this.pending.push(entry);
    void settled(entry.done).then(() => this.pending.splice(this.pending.indexOf(entry), 1));
    return entry.done;
  }

  /** Settles once every task enqueued so far has stopped, either way. */
  async idle(): Promise<void> {
    await Promise.all(this.pending.map((entry) => settled(entry.done)));
  }
}

function overlaps(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const key of b) if (a.has(key)) return true;
  return false;
}

/** Resolves when `promise` settles, either way. */
function settled(promise: Promise<unknown>): Promise<void> {
  return promise.then(
    () => undefined,
    () => undefined,
  );
}

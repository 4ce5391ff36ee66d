/**
 * Like `Promise.all`, but waits for every task to end before rejecting with the first failure.
 * Tasks that write (pages handing rooms to the writer) must not outlive the run that started
 * them: a straggler writing after the run recorded its failure would make the record a lie.
 */
export async function settleAll<T>(tasks: Array<Promise<T>>): Promise<T[]> {
  const results = await Promise.allSettled(tasks);
  const failure = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failure) throw failure.reason;
  return results.map((result) => (result as PromiseFulfilledResult<T>).value);
}

/**
 * `settleAll(items.map(task))` with at most `limit` tasks running at once, and none started
 * before a slot is free: a run of 10,000 windows (a second full run of a million rooms) held a
 * waiting task per window, closure, promise and suspended call, for the whole read. Once a task
 * has failed no further one is started (they would only be stopped); the call still waits for
 * the running ones to end, then rejects with the first failure.
 */
export async function settleEach<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next]!;
      next += 1;
      try {
        await task(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const workers = Math.max(1, Math.min(limit, items.length));
  await settleAll(Array.from({ length: workers }, worker));
}

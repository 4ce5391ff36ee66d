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

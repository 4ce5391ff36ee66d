/**
 * Settles as `promise` does, or rejects after `ms` if it has not by then. The work itself goes on
 * (Redis and pg calls cannot be cancelled); the caller only stops waiting for it, which is what a
 * probe or a scrape needs to answer in bounded time.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

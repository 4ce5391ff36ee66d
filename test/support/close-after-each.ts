import { afterEach } from "vitest";

interface Closable {
  close(): Promise<unknown>;
}

/**
 * Returns a function that registers what a test opened (a simulator, a client) to be closed after
 * it, whatever its outcome, newest first (a client before the simulator it talks to): a failed
 * test's simulator would otherwise hold its port, and its client's pool keep the process alive.
 */
export function useCloseAfterEach(): <T extends Closable>(opened: T) => T {
  const open: Closable[] = [];
  afterEach(async () => {
    for (const item of open.splice(0).reverse()) await item.close();
  });
  return (opened) => {
    open.push(opened);
    return opened;
  };
}

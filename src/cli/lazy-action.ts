/**
 * A command's action, loaded only when that command runs. Every command shares main.js, so a
 * static import of each action would load them all for any one of them: `--help` took half a
 * second of CPU loading the sync engine, Postgres, zod and undici it never uses, and `status`
 * loaded the engine as well. The commands' definitions (options, help) stay light and static.
 */
export function lazyAction<A extends unknown[]>(
  load: () => Promise<(...args: A) => Promise<void>>,
): (...args: A) => Promise<void> {
  return async (...args) => (await load())(...args);
}

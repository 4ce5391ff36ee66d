import type pg from "pg";

export interface Tripwire {
  /** The statement that tripped it, once it has. */
  readonly tripped: string | undefined;
  disarm(): void;
}

/**
 * Calls `onTrip`, and waits for it, before the first statement sent through `pool.query` whose
 * SQL matches `pattern`; the statement then goes ahead against whatever state `onTrip` left (a
 * stopped server, typically). How a drill stops Postgres at an exact point of a run's bookkeeping
 * without a hook in the engine. Statements inside transactions use pool clients and pass untouched.
 */
export function armStatementTripwire(pool: pg.Pool, pattern: RegExp, onTrip: () => Promise<void>): Tripwire {
  const original = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  let tripped: string | undefined;
  const patched = async (...args: unknown[]): Promise<unknown> => {
    const first = args[0];
    const text = typeof first === "string" ? first : (first as { text?: unknown } | null)?.text;
    if (tripped === undefined && typeof text === "string" && pattern.test(text)) {
      tripped = text;
      await onTrip();
    }
    return original(...args);
  };
  (pool as unknown as { query: typeof patched }).query = patched;
  return {
    get tripped() {
      return tripped;
    },
    disarm: () => {
      (pool as unknown as { query: unknown }).query = original;
    },
  };
}

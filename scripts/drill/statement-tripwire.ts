import type pg from "pg";

export interface Tripwire {
  /** The statement that tripped it, once it has. */
  readonly tripped: string | undefined;
  disarm(): void;
}

type Query = (...args: unknown[]) => Promise<unknown>;

/**
 * Calls `onTrip`, and waits for it, before the first statement whose SQL matches `pattern`,
 * sent through `pool.query` or through a client the pool hands out (a transaction's); the
 * statement then goes ahead against whatever state `onTrip` left (a stopped server, typically).
 * How a drill stops Postgres at an exact point of a run's bookkeeping without a hook in the
 * engine. Clients are wrapped as the pool hands them out and stay wrapped, passing everything
 * through once the tripwire is disarmed.
 */
export function armStatementTripwire(pool: pg.Pool, pattern: RegExp, onTrip: () => Promise<void>): Tripwire {
  let tripped: string | undefined;
  let armed = true;
  const guard =
    (original: Query): Query =>
    async (...args) => {
      const first = args[0];
      const text = typeof first === "string" ? first : (first as { text?: unknown } | null)?.text;
      if (armed && tripped === undefined && typeof text === "string" && pattern.test(text)) {
        tripped = text;
        await onTrip();
      }
      return original(...args);
    };
  const poolQuery = pool.query.bind(pool) as Query;
  const connect = pool.connect.bind(pool) as (...args: unknown[]) => unknown;
  const wrapped = new WeakSet<pg.PoolClient>();
  const patchedConnect = (...args: unknown[]): unknown => {
    // The callback form is left alone: the engine's transactions await connect().
    if (args.length > 0) return connect(...args);
    return (connect() as Promise<pg.PoolClient>).then((client) => {
      if (!wrapped.has(client)) {
        wrapped.add(client);
        (client as unknown as { query: Query }).query = guard(client.query.bind(client));
      }
      return client;
    });
  };
  const target = pool as unknown as { query: unknown; connect: unknown };
  target.query = guard(poolQuery);
  target.connect = patchedConnect;
  return {
    get tripped() {
      return tripped;
    },
    disarm: () => {
      armed = false;
      target.query = poolQuery;
      target.connect = connect;
    },
  };
}

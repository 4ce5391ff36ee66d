import { sql } from "drizzle-orm";

import type { Db, Tx } from "./database.js";

/**
 * Runs `work` in a transaction whose statements are planned without nested loops. The seen rooms
 * are arrays unnested at query time (sync_seen_batches), which Postgres estimates at 10 rooms per
 * batch however many it holds, and no index finds a room among them. On that estimate it may
 * pick a nested loop that unnests every batch once per room: O(rooms²), minutes at 100,000 rooms.
 * Hash joins cost one pass over each side whatever the
 * estimate says. `set_config(..., true)` lasts until the transaction ends, so nothing else is
 * planned this way.
 *
 * JIT is off in it too: a plan that keeps a nested loop anyway (the unnesting of each batch)
 * carries the 10^10 cost penalty of a disabled node, far past `jit_above_cost`, so each of these
 * statements was compiled to machine code first: ~150 ms apiece, three times at the end of every
 * full run, for scans that then took ~70 ms.
 */
export async function withHashJoins<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('enable_nestloop', 'off', true), set_config('jit', 'off', true)`);
    return work(tx);
  });
}

import { sql } from "drizzle-orm";

import type { FeedPosition } from "./feed-cursor.js";
import type { Db } from "./database.js";
import { queryRows } from "./query-rows.js";

export { CHANGES_CHANNEL } from "../vocabulary.js";

export interface FeedChange {
  id: string;
  xid: string;
  project_id: string;
  room_id: string;
  run_id: string;
  request_id: string | null;
  change: string;
  changed_fields: string[];
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  observed_at: string;
}

/**
 * The next changes after `after`, in commit order, at most `limit`. `id` alone is not commit
 * order: two runs take ids, and the later id may commit first; read by `id > last`, the earlier
 * one, committed late, would be skipped. So rows are ordered by their writing transaction and
 * handed out only when that transaction is older than every transaction still running (the
 * snapshot's xmin): no change can commit later at a position before them. A long transaction
 * anywhere in the cluster delays the feed; it never makes it skip.
 */
export async function readChanges(
  db: Db,
  input: { after: FeedPosition; projectIds: readonly string[]; limit: number },
): Promise<FeedChange[]> {
  const projects = input.projectIds.length > 0 ? sql`and project_id in ${input.projectIds}` : sql``;
  return queryRows<FeedChange>(
    db,
    sql`select id::text as id, xid::text as xid, project_id, room_id, run_id::text as run_id, request_id,
               change, changed_fields, before, after,
               to_char(observed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as observed_at
          from smart_chat_room_changes c
         where (c.xid, c.id) > (${input.after.xid}::xid8, ${input.after.id}::bigint)
           and c.xid < pg_snapshot_xmin(pg_current_snapshot())
           ${projects}
         -- Qualified: a bare name in ORDER BY means the output column first, here the text the
         -- rows are sent as, and "100" sorts before "99": a transaction's changes came out of
         -- order across a power of ten (a consumer resuming after "99" got "100" twice), and a
         -- transaction with a longer xid ahead of an older one, which the cursor then skipped.
         order by c.xid, c.id
         limit ${input.limit}`,
  );
}

import { sql } from "drizzle-orm";

import type { Db } from "../db/database.js";
import { queryRows } from "../db/query-rows.js";

/** A `deleted` change recorded for a room the upstream never deleted. */
export interface PhantomDeletion {
  roomId: string;
  runId: string;
  observedAt: string;
  /** Whether a later change (a restore) undid it; a phantom either way, users acted on it. */
  undone: boolean;
}

/**
 * Every phantom deletion in a project's change log: a `deleted` change for a room whose ID is
 * not in `deletedUpstream`, the set of rooms the upstream ever deleted (the simulator's
 * `deletedRoomIds`). The final mirror cannot show these once a later run restored the room,
 * but anyone acting on `smart_chat_room_changes` saw a deletion that never happened. Shared by
 * the tests and `npm run drill`.
 */
export async function findPhantomDeletions(
  db: Db,
  projectId: string,
  deletedUpstream: ReadonlySet<string>,
): Promise<PhantomDeletion[]> {
  const rows = await queryRows<{
    room_id: string;
    run_id: string;
    observed_at: Date | string;
    undone: boolean;
  }>(
    db,
    sql`select c.room_id, c.run_id::text as run_id, c.observed_at,
          exists (select 1 from smart_chat_room_changes later
                  where later.project_id = c.project_id and later.room_id = c.room_id
                    and later.id > c.id) as undone
        from smart_chat_room_changes c
        where c.project_id = ${projectId} and c.change = 'deleted'
        order by c.id`,
  );
  return rows
    .filter((row) => !deletedUpstream.has(row.room_id))
    .map((row) => ({
      roomId: row.room_id,
      runId: row.run_id,
      observedAt: new Date(row.observed_at).toISOString(),
      undone: row.undone,
    }));
}

/** One line for an assertion message or a drill's table: how many, and the first few. */
export function describePhantomDeletions(phantoms: PhantomDeletion[]): string {
  if (phantoms.length === 0) return "no phantom deletions";
  const undone = phantoms.filter((p) => p.undone).length;
  const sample = phantoms
    .slice(0, 3)
    .map((p) => p.roomId)
    .join(", ");
  return (
    `${phantoms.length} phantom deletion(s) of rooms the upstream never deleted ` +
    `(${undone} restored by a later run), e.g. ${sample}`
  );
}

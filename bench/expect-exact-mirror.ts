import { sql } from "drizzle-orm";

import { openDatabase } from "../src/db/open-database.js";
import { queryRows } from "../src/db/query-rows.js";
import { compareMirror, describeDifferences } from "../src/sync/compare-mirror.js";

/**
 * Up to this many rooms the mirror is compared room by room. compareMirror holds the whole
 * project's rows in the bench process (about 475 MB and 20 s at 100k rooms on the 2-core
 * machine), so at 1M rooms it would outgrow node's default heap: there the bench counts instead.
 */
export const ROOM_BY_ROOM_MAX = 200_000;

/**
 * Throws unless the mirror at `databaseUrl` holds exactly `upstream` for `projectId`, by the
 * tests' and drills' definition (compareMirror). A run that wrote the wrong rooms fast must not
 * be printed as a result: its numbers would measure a different job. Above ROOM_BY_ROOM_MAX
 * rooms, only that every upstream room is live and none is marked deleted (the bench deletes none).
 */
export async function expectExactMirror(
  databaseUrl: string,
  projectId: string,
  upstream: Array<Record<string, unknown>>,
  after: string,
  /** @default ROOM_BY_ROOM_MAX */
  roomByRoomMax = ROOM_BY_ROOM_MAX,
): Promise<void> {
  const started = performance.now();
  const database = await openDatabase({ databaseUrl, embeddedDataDir: "" });
  try {
    let how = "compared room by room";
    if (upstream.length <= roomByRoomMax) {
      const differences = await compareMirror(database.db, projectId, upstream);
      if (differences.length > 0) throw notExact(after, describeDifferences(differences));
    } else {
      how = `counted (room by room only up to ${roomByRoomMax} rooms)`;
      const [counts] = await queryRows<{ live: number; deleted: number }>(
        database.db,
        sql`select count(*) filter (where deleted_at is null)::int as live,
                   count(*) filter (where deleted_at is not null)::int as deleted
              from smart_chat_rooms where project_id = ${projectId}`,
      );
      if (counts?.live !== upstream.length || counts.deleted !== 0) {
        const found = `${counts?.live ?? 0} live and ${counts?.deleted ?? 0} deleted rooms`;
        throw notExact(after, `${found} for ${upstream.length} upstream, none deleted`);
      }
    }
    const ms = Math.round(performance.now() - started);
    process.stderr.write(`bench: mirror exact after ${after} (${how} in ${ms} ms)\n`);
  } finally {
    await database.close();
  }
}

const notExact = (after: string, what: string) =>
  new Error(`bench: the mirror is not exact after ${after}: ${what}`);

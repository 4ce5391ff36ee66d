import { sql } from "drizzle-orm";

import type { Db } from "./database.js";
import { queryRows } from "./query-rows.js";

/**
 * The last second (since the epoch) of each consecutive group of at most about `perGroup` live
 * rooms of a project, in order of `field`; a second holding more rooms than that is a group of
 * its own. Computed in the database, so a million rooms come back as ten thousand numbers.
 */
export async function roomTimeGroupEnds(
  db: Db,
  projectId: string,
  field: "update_time" | "create_time",
  perGroup: number,
): Promise<number[]> {
  const column = sql.raw(field === "create_time" ? "create_time" : "update_time");
  const rows = await queryRows<{ last: string | number }>(
    db,
    sql`
    with per_second as (
      select floor(extract(epoch from ${column}))::bigint as s, count(*)::bigint as n
        from smart_chat_rooms
       where project_id = ${projectId} and deleted_at is null and ${column} is not null
       group by 1
    ), numbered as (
      select s, (sum(n) over (order by s) - n)::bigint as before from per_second
    )
    select max(s) as last from numbered group by before / ${perGroup}::bigint order by 1`,
  );
  return rows.map((row) => Number(row.last));
}

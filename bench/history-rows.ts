import { sql } from "drizzle-orm";

import type { Db } from "../src/db/database.js";

/**
 * Fills an empty mirror with `rooms` rooms spread over `projects` projects (`p-0`, `p-1`, ...),
 * as a year of syncing would leave them, in a few set-based statements (seconds, not the minutes
 * a real sync of 100k rooms takes): every room discovered 60 days ago, one update per room on
 * average spread over those days, 2% deleted, two voice configs each. Selective values for the
 * README's example queries: `model-7` (1 room in 500), provider `XIAOICE` (1 in 1000).
 */
export async function fillHistory(db: Db, input: { rooms: number; projects: number }): Promise<void> {
  const { rooms, projects } = input;
  const id = sql.raw(`'room-' || lpad(i::text, 7, '0')`);
  const project = sql.raw(`'p-' || (i % ${projects})`);
  const item = sql.raw(
    `jsonb_build_object('room_id', 'room-' || lpad(i::text, 7, '0'), 'room_name', 'Room ' || i,
       'model_infos', jsonb_build_object('model_asset_id', 'model-' || (i % 500)), 'concurrency', i % 8)`,
  );
  await db.execute(sql`
    insert into smart_chat_rooms (project_id, room_id, room_name, model_asset_id, model_infos, concurrency,
                                  raw, content_hash, first_seen_at, last_seen_at, last_changed_at, deleted_at,
                                  create_time, update_time)
    select ${project}, ${id}, 'Room ' || i, 'model-' || (i % 500), jsonb_build_object('model_asset_id', 'model-' || (i % 500)),
           i % 8, ${item}, md5(i::text), now() - interval '60 days', now(), now() - (i % 60) * interval '1 day',
           case when i % 50 = 0 then now() - (i % 30) * interval '1 day' end,
           now() - interval '90 days', now() - (i % 60) * interval '1 day'
      from generate_series(1, ${rooms}) i`);
  await db.execute(sql`
    insert into smart_chat_room_voice_configs (project_id, room_id, position, voice_asset_id, provider, language)
    select ${project}, ${id}, pos, 'voice-' || ((i + pos) % 2000),
           case when i % 1000 = 0 then 'XIAOICE' else 'HUAWEI_METASTUDIO' end, 'zh_CN'
      from generate_series(1, ${rooms}) i, generate_series(0, 1) pos`);
  await db.execute(sql`
    insert into smart_chat_room_changes (project_id, room_id, run_id, change, changed_fields, after, observed_at)
    select ${project}, ${id}, '00000000-0000-0000-0000-000000000001', 'discovered',
           '{concurrency,model_infos,room_id,room_name}', ${item}, now() - interval '60 days'
      from generate_series(1, ${rooms}) i`);
  // Updates of room_name, at most one per room per day; the last one is what the room holds now.
  await db.execute(sql`
    insert into smart_chat_room_changes (project_id, room_id, run_id, change, changed_fields, before, after, observed_at)
    select ${project}, ${id}, '00000000-0000-0000-0000-000000000002', 'updated', '{room_name}',
           jsonb_build_object('room_name', 'Old name ' || i), jsonb_build_object('room_name', 'Room ' || i),
           now() - (i % 60) * interval '1 day'
      from generate_series(1, ${rooms}) i where i % 60 <> 0`);
  await db.execute(sql`
    insert into smart_chat_room_changes (project_id, room_id, run_id, change, changed_fields, before, observed_at)
    select ${project}, ${id}, '00000000-0000-0000-0000-000000000003', 'deleted', '{}', ${item},
           now() - (i % 30) * interval '1 day'
      from generate_series(1, ${rooms}) i where i % 50 = 0`);
  await db.execute(sql`analyze smart_chat_rooms, smart_chat_room_voice_configs, smart_chat_room_changes`);
}

import { sql } from "drizzle-orm";

import type { ChangeKind } from "../vocabulary.js";
import type { Db } from "./database.js";
import { jsonbParameter } from "./jsonb-parameter.js";
import { queryPrepared } from "./query-rows.js";

export interface PlannedChange {
  roomId: string;
  roomName: string | null;
  change: ChangeKind;
  changedFields: readonly string[];
  requestId: string | undefined;
}

/** What the decision needs of a stored room; `raw` only where the incoming hash differs. */
export interface StoredRoomRow {
  room_id: string;
  content_hash: string;
  deleted: boolean;
  /** `update_time` in epoch milliseconds. */
  update_ms: number | null;
  /** The stored item, where its hash differs from the incoming one or the room is deleted. */
  raw: Record<string, unknown> | null;
  /** The run that last wrote the row (`written_by_run`); null for rows from before 0004. */
  written_by_run: string | null;
}

/**
 * One read per batch: the stored state of the rooms in `keys` (a JSON array of `{"id","hash"}`,
 * in jsonb's binary format), and the stored item of those that will be rewritten, which names a
 * change's fields. Unchanged rooms (the bulk of a quiet full run) cost no `raw` on the wire.
 */
export async function loadStoredRooms(db: Db, projectId: string, keys: Buffer): Promise<StoredRoomRow[]> {
  return queryPrepared<StoredRoomRow>(
    db,
    "msync_load_stored_rooms",
    sql`
    select s.room_id, s.content_hash, s.deleted_at is not null as deleted,
           (extract(epoch from s.update_time) * 1000)::float8 as update_ms,
           case when s.content_hash <> k.hash or s.deleted_at is not null then s.raw end as raw,
           s.written_by_run
      from jsonb_to_recordset(${jsonbParameter(db, keys)}::jsonb) as k(id text, hash text)
      join smart_chat_rooms s on s.project_id = ${projectId} and s.room_id = k.id`,
  );
}

/** `voice_config_list` of the incoming item as a set of (entry, 1-based position) rows. */
const VOICE_ENTRIES = sql.raw(`jsonb_array_elements(case jsonb_typeof(x.raw->'voice_config_list')
  when 'array' then x.raw->'voice_config_list' end) with ordinality as e(v, ord)`);

const VOICE_COLUMNS = sql.raw(
  `project_id, room_id, position, voice_asset_id, speed, pitch, volume, provider, language, language_desc`,
);

const VOICE_VALUES = sql.raw(`x.room_id, (e.ord - 1)::int, e.v->>'voice_asset_id', (e.v->>'speed')::int,
  (e.v->>'pitch')::int, (e.v->>'volume')::int, e.v->>'provider', e.v->>'language', e.v->>'language_desc'`);

/**
 * Stores a decided batch in one statement: room rows upserted whole (typed columns derived from
 * `raw` here, so the item travels once), voice configs written for new rooms and replaced for
 * rewritten ones, one change row each. Written rooms are stamped with the run (`written_by_run`),
 * which is their sighting; the others are marked seen by one `sync_seen_batches` row.
 * `payload` is a JSON array of room entries in jsonb's binary format (see room-batch-payload and
 * jsonbParameter): those with a `change`
 * are written, the others only marked seen. One statement is one implicit transaction, so no
 * transaction is ever open while node works.
 *
 * A rewritten room's voice configs are upserted by position and those past its new list deleted,
 * rather than deleted and inserted: sub-statements of one statement run in no defined order, and
 * an insert running before the delete would collide with the rows it replaces.
 */
export async function storeRoomBatch(
  db: Db,
  batch: { projectId: string; runId: string; observedAt: Date; payload: Buffer },
): Promise<void> {
  const { projectId, runId } = batch;
  const at = batch.observedAt.toISOString();
  await queryPrepared(
    db,
    "msync_store_room_batch",
    sql`
    with x as (
      select * from jsonb_to_recordset(${jsonbParameter(db, batch.payload)}::jsonb) as x(
        room_id text, request_id text, change text, name text, model_asset_id text,
        create_time timestamptz, update_time timestamptz, hash text, fields text[],
        before jsonb, after jsonb, raw jsonb)
    ), rooms as (
      insert into smart_chat_rooms (project_id, room_id, room_name, room_description, robot_id, cover_url,
        model_asset_id, model_infos, voice_config, billing_mode, reuse_resource, concurrency, client_nums,
        default_language, exit_mute_threshold, create_time, update_time, raw, content_hash, first_seen_at,
        last_seen_at, last_changed_at, deleted_at, last_request_id, written_by_run)
      select ${projectId}, x.room_id, coalesce(x.name, x.raw->>'room_name'), x.raw->>'room_description',
             x.raw->>'robot_id', x.raw->>'cover_url',
             coalesce(x.model_asset_id, x.raw->'model_infos'->>'model_asset_id'),
             nullif(x.raw->'model_infos', 'null'::jsonb), nullif(x.raw->'voice_config', 'null'::jsonb),
             x.raw->>'billing_mode', (x.raw->>'reuse_resource')::boolean, (x.raw->>'concurrency')::int,
             (x.raw->>'client_nums')::int, x.raw->>'default_language', (x.raw->>'exit_mute_threshold')::int,
             x.create_time, x.update_time, x.raw, x.hash, ${at}::timestamptz, ${at}::timestamptz,
             ${at}::timestamptz, null, x.request_id, ${runId}::uuid
        from x where x.change is not null
      on conflict (project_id, room_id) do update set
        room_name = excluded.room_name, room_description = excluded.room_description,
        robot_id = excluded.robot_id, cover_url = excluded.cover_url, model_asset_id = excluded.model_asset_id,
        model_infos = excluded.model_infos, voice_config = excluded.voice_config,
        billing_mode = excluded.billing_mode, reuse_resource = excluded.reuse_resource,
        concurrency = excluded.concurrency, client_nums = excluded.client_nums,
        default_language = excluded.default_language, exit_mute_threshold = excluded.exit_mute_threshold,
        create_time = excluded.create_time, update_time = excluded.update_time, raw = excluded.raw,
        content_hash = excluded.content_hash, last_seen_at = excluded.last_seen_at,
        last_changed_at = excluded.last_changed_at, deleted_at = null, last_request_id = excluded.last_request_id,
        written_by_run = excluded.written_by_run
    ), handed_over as (
      -- A rewrite replaces the stamp of the run that wrote the row before. Where that run is a
      -- full run that may still be resumed, its sighting becomes a seen row, or its successor
      -- would judge the room unseen (and deleted) after skipping the window that saw it.
      insert into sync_seen_batches (run_id, room_ids, request_ids)
      select s.written_by_run, array_agg(s.room_id), array_agg(null::text)
        from x join smart_chat_rooms s on s.project_id = ${projectId} and s.room_id = x.room_id
       where x.change in ('updated', 'restored') and s.written_by_run <> ${runId}::uuid
         and exists (select 1 from sync_runs r
                      where r.id = s.written_by_run and r.mode = 'full' and r.status <> 'succeeded')
       group by s.written_by_run
    ), new_voices as (
      insert into smart_chat_room_voice_configs (${VOICE_COLUMNS})
      select ${projectId}, ${VOICE_VALUES} from x cross join lateral ${VOICE_ENTRIES}
       where x.change in ('created', 'discovered')
    ), rewritten_voices as (
      insert into smart_chat_room_voice_configs (${VOICE_COLUMNS})
      select ${projectId}, ${VOICE_VALUES} from x cross join lateral ${VOICE_ENTRIES}
       where x.change in ('updated', 'restored')
      on conflict (project_id, room_id, position) do update set
        voice_asset_id = excluded.voice_asset_id, speed = excluded.speed, pitch = excluded.pitch,
        volume = excluded.volume, provider = excluded.provider, language = excluded.language,
        language_desc = excluded.language_desc
    ), surplus_voices as (
      delete from smart_chat_room_voice_configs v using x
       where x.change in ('updated', 'restored') and v.project_id = ${projectId} and v.room_id = x.room_id
         and v.position >= coalesce(jsonb_array_length(case jsonb_typeof(x.raw->'voice_config_list')
               when 'array' then x.raw->'voice_config_list' end), 0)
    ), changes as (
      insert into smart_chat_room_changes (project_id, room_id, run_id, request_id, change, changed_fields,
        before, after, observed_at)
      select ${projectId}, x.room_id, ${runId}::uuid, x.request_id, x.change, x.fields, x.before,
             case when x.change = 'updated' then x.after else x.raw end, ${at}::timestamptz
        from x where x.change is not null
    )
    -- One row for the batch's unchanged rooms, not one per room: a quiet full run is all of them.
    insert into sync_seen_batches (run_id, room_ids, request_ids)
    select ${runId}::uuid, array_agg(x.room_id), array_agg(x.request_id) from x where x.change is null
    having count(*) > 0`,
  );
}

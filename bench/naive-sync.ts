import type pg from "pg";

/**
 * The baseline: what a user would write by hand. Sequential offset paging over the whole list,
 * and one upsert statement per room (plus its voice configs), every room, every run.
 * Same tables as metastudio-sync, so the two are measured doing the same job.
 */
export interface NaiveResult {
  requests: number;
  rooms: number;
  roomRowsWritten: number;
  voiceRowsWritten: number;
}

interface Item {
  room_id: string;
  room_name?: string;
  room_description?: string;
  robot_id?: string;
  cover_url?: string;
  model_infos?: { model_asset_id?: string };
  voice_config?: unknown;
  billing_mode?: string;
  reuse_resource?: boolean;
  concurrency?: number;
  client_nums?: number;
  default_language?: string;
  exit_mute_threshold?: number;
  create_time?: string;
  update_time?: string;
  voice_config_list?: Array<Record<string, unknown>>;
}

export async function naiveSync(options: {
  endpoint: string;
  projectId: string;
  token: string;
  pool: pg.Pool;
}): Promise<NaiveResult> {
  const result: NaiveResult = { requests: 0, rooms: 0, roomRowsWritten: 0, voiceRowsWritten: 0 };
  for (let offset = 0, count = 1; offset < count; offset += 100) {
    const response = await fetch(
      `${options.endpoint}/v1/${options.projectId}/smart-chat-rooms?offset=${offset}&limit=100`,
      { headers: { "X-Auth-Token": options.token } },
    );
    result.requests += 1;
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const body = (await response.json()) as { count: number; smart_chat_rooms?: Item[] };
    count = body.count;
    for (const room of body.smart_chat_rooms ?? []) {
      const now = new Date();
      await options.pool.query(
        `insert into smart_chat_rooms (project_id, room_id, room_name, room_description, robot_id, cover_url,
           model_asset_id, model_infos, voice_config, billing_mode, reuse_resource, concurrency, client_nums,
           default_language, exit_mute_threshold, create_time, update_time, raw, content_hash,
           first_seen_at, last_seen_at, last_changed_at)
         values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,'',$19,$19,$19)
         on conflict (project_id, room_id) do update set room_name = excluded.room_name,
           room_description = excluded.room_description, robot_id = excluded.robot_id,
           cover_url = excluded.cover_url, model_asset_id = excluded.model_asset_id,
           model_infos = excluded.model_infos, voice_config = excluded.voice_config,
           billing_mode = excluded.billing_mode, reuse_resource = excluded.reuse_resource,
           concurrency = excluded.concurrency, client_nums = excluded.client_nums,
           default_language = excluded.default_language, exit_mute_threshold = excluded.exit_mute_threshold,
           create_time = excluded.create_time, update_time = excluded.update_time, raw = excluded.raw,
           last_seen_at = excluded.last_seen_at`,
        [
          options.projectId,
          room.room_id,
          room.room_name ?? null,
          room.room_description ?? null,
          room.robot_id ?? null,
          room.cover_url ?? null,
          room.model_infos?.model_asset_id ?? null,
          room.model_infos === undefined ? null : JSON.stringify(room.model_infos),
          room.voice_config === undefined ? null : JSON.stringify(room.voice_config),
          room.billing_mode ?? null,
          room.reuse_resource ?? null,
          room.concurrency ?? null,
          room.client_nums ?? null,
          room.default_language ?? null,
          room.exit_mute_threshold ?? null,
          room.create_time ?? null,
          room.update_time ?? null,
          JSON.stringify(room),
          now,
        ],
      );
      await options.pool.query(
        "delete from smart_chat_room_voice_configs where project_id = $1 and room_id = $2",
        [options.projectId, room.room_id],
      );
      for (const [position, voice] of (room.voice_config_list ?? []).entries()) {
        await options.pool.query(
          `insert into smart_chat_room_voice_configs (project_id, room_id, position, voice_asset_id, speed, pitch,
             volume, provider, language, language_desc) values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
          [
            options.projectId,
            room.room_id,
            position,
            voice.voice_asset_id ?? null,
            voice.speed ?? null,
            voice.pitch ?? null,
            voice.volume ?? null,
            voice.provider ?? null,
            voice.language ?? null,
            voice.language_desc ?? null,
          ],
        );
        result.voiceRowsWritten += 1;
      }
      result.rooms += 1;
      result.roomRowsWritten += 1;
    }
  }
  return result;
}

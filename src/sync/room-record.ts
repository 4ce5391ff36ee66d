import { hash } from "node:crypto";

import type { SmartChatRoom } from "../metastudio/room-schema.js";
import { indexedText } from "../metastudio/storable-item.js";
import { canonicalBytes, canonicalJson, sortStrings } from "./canonical-json.js";
import { isPlainUtcSecond } from "./plain-utc-second.js";
import type { smartChatRoomVoiceConfigs, smartChatRooms } from "../db/schema.js";

export type RoomRow = typeof smartChatRooms.$inferInsert;
export type VoiceConfigRow = typeof smartChatRoomVoiceConfigs.$inferInsert;

/**
 * The content hash stored per room: a room whose hash is unchanged costs no write. `crypto.hash`
 * gives the same digest as `createHash().update().digest()` in one call, without a Hash object
 * per room (half the time for a room-sized input).
 */
export function contentHash(raw: unknown): string {
  return hashCanonical(canonicalBytes(raw));
}

/** `contentHash` of an item whose canonical bytes the caller already has. */
export function hashCanonical(canonical: Buffer): string {
  return hash("sha256", canonical, "base64url");
}

/** Top-level upstream fields whose values differ, sorted; what `smart_chat_room_changes` records. */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return sortStrings([...keys].filter((key) => canonicalJson(before[key]) !== canonicalJson(after[key])));
}

/** An upstream time as node reads it; null for none, or for text that is no time. */
export function parseTime(value: string | null | undefined): Date | null {
  const ms = parseTimeMs(value);
  return ms === null ? null : new Date(ms);
}

/** parseTime in epoch milliseconds, without a Date to hold it. */
export function parseTimeMs(value: string | null | undefined): number | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** What the write's parameter carries besides `raw`, whose other columns are derived in SQL. */
export interface SentColumns {
  /** `room_name` clipped to fit its index (see indexedText); null when it fits, so raw's is taken. */
  name: string | null;
  /** `model_infos.model_asset_id`, likewise. */
  modelAssetId: string | null;
  /** The times as node parsed them, to the millisecond (see sentTime); null for none. */
  createTime: string | null;
  updateTime: string | null;
}

/**
 * What node decides for the write: a name or model asset ID clipped to fit its index (sent only
 * when clipped), and the times as node parses them, which the stale check compares at
 * millisecond precision. Made for every room, so four fields, not roomColumns' nineteen.
 */
export function sentColumns(room: SmartChatRoom): SentColumns {
  const name = room.room_name ?? null;
  const model = room.model_infos?.model_asset_id ?? null;
  const clippedName = indexedText(name);
  const clippedModel = indexedText(model);
  return {
    name: clippedName === name ? null : clippedName,
    modelAssetId: clippedModel === model ? null : clippedModel,
    createTime: sentTime(room.create_time),
    updateTime: sentTime(room.update_time),
  };
}

/**
 * A time as node parses it, to the millisecond: the upstream's own text where Postgres reads the
 * same instant from it (isPlainUtcSecond, which also means node reads one), else formatted from
 * node's parse; null where node reads no time. The check comes first: it spares the plain text,
 * nearly every time, a parse only to be printed again.
 */
function sentTime(text: string | null | undefined): string | null {
  if (text && isPlainUtcSecond(text)) return text;
  return parseTime(text)?.toISOString() ?? null;
}

/**
 * The typed columns of a room, from the item as received; bookkeeping is the writer's. Indexed
 * text is clipped to fit its index (see indexedText); `raw` keeps the whole text.
 */
export function roomColumns(projectId: string, room: SmartChatRoom) {
  return {
    projectId,
    roomId: room.room_id,
    roomName: indexedText(room.room_name),
    roomDescription: room.room_description ?? null,
    robotId: room.robot_id ?? null,
    coverUrl: room.cover_url ?? null,
    modelAssetId: indexedText(room.model_infos?.model_asset_id),
    modelInfos: room.model_infos ?? null,
    voiceConfig: room.voice_config ?? null,
    billingMode: room.billing_mode ?? null,
    reuseResource: room.reuse_resource ?? null,
    concurrency: room.concurrency ?? null,
    clientNums: room.client_nums ?? null,
    defaultLanguage: room.default_language ?? null,
    exitMuteThreshold: room.exit_mute_threshold ?? null,
    createTime: parseTime(room.create_time),
    updateTime: parseTime(room.update_time),
    raw: room as Record<string, unknown>,
  } satisfies Partial<RoomRow>;
}

/** `voice_config_list` as rows, position 0 first, in the order the upstream sent them. */
export function voiceConfigRows(projectId: string, room: SmartChatRoom): VoiceConfigRow[] {
  return (room.voice_config_list ?? []).map((voice, position) => ({
    projectId,
    roomId: room.room_id,
    position,
    voiceAssetId: voice.voice_asset_id ?? null,
    speed: voice.speed ?? null,
    pitch: voice.pitch ?? null,
    volume: voice.volume ?? null,
    provider: voice.provider ?? null,
    language: voice.language ?? null,
    languageDesc: voice.language_desc ?? null,
  }));
}

import { hash } from "node:crypto";

import type { SmartChatRoom } from "../metastudio/room-schema.js";
import { indexedText } from "../metastudio/storable-item.js";
import { canonicalBytes, canonicalJson, sortStrings } from "./canonical-json.js";
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

function toDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * The typed columns node decides for the write (the others are derived from `raw` in SQL): a
 * name or model asset ID clipped to fit its index, and the times as node parses them, which the
 * stale check compares. Four fields, not roomColumns' nineteen: it is made for every room.
 */
export function decidedColumns(room: SmartChatRoom) {
  return {
    roomName: indexedText(room.room_name),
    modelAssetId: indexedText(room.model_infos?.model_asset_id),
    createTime: toDate(room.create_time),
    updateTime: toDate(room.update_time),
  } satisfies Partial<RoomRow>;
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
    createTime: toDate(room.create_time),
    updateTime: toDate(room.update_time),
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

import { createHash } from "node:crypto";

import type { SmartChatRoom } from "../metastudio/room-schema.js";
import { indexedText } from "../metastudio/storable-item.js";
import type { smartChatRoomVoiceConfigs, smartChatRooms } from "../db/schema.js";

export type RoomRow = typeof smartChatRooms.$inferInsert;
export type VoiceConfigRow = typeof smartChatRoomVoiceConfigs.$inferInsert;

/** JSON with object keys sorted at every depth, so equal content always hashes equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The content hash stored per room: a room whose hash is unchanged costs no write. */
export function contentHash(raw: unknown): string {
  return createHash("sha256").update(canonicalJson(raw)).digest("base64url");
}

/** Top-level upstream fields whose values differ, sorted; what `smart_chat_room_changes` records. */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => canonicalJson(before[key]) !== canonicalJson(after[key])).sort();
}

function toDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
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

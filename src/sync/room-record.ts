import { hash } from "node:crypto";

import type { SmartChatRoom } from "../metastudio/room-schema.js";
import { indexedText } from "../metastudio/storable-item.js";
import type { smartChatRoomVoiceConfigs, smartChatRooms } from "../db/schema.js";

export type RoomRow = typeof smartChatRooms.$inferInsert;
export type VoiceConfigRow = typeof smartChatRoomVoiceConfigs.$inferInsert;

/**
 * JSON with object keys sorted at every depth, so equal content always hashes equally. Keys whose
 * value is undefined are left out, as JSON.stringify leaves them out. Built in one pass into one
 * string: stored content hashes are this string's sha256, so its exact output must never change
 * (a different byte would make every stored room look changed once; bench/hash.ts checks it
 * against the original implementation). Not a sorted copy handed to JSON.stringify: V8 orders
 * integer-like keys ("10" before "9") in every object, and a "__proto__" key would set the
 * prototype instead of being written.
 */
export function canonicalJson(value: unknown): string {
  if (typeof value !== "object" || value === null) {
    // JSON.stringify writes a finite number as String does (-0 as 0, 1e21 as 1e+21); NaN and
    // the infinities, which it writes as null, go to it, as does everything else.
    if (typeof value === "number" && Number.isFinite(value)) return String(value);
    if (typeof value === "boolean") return value ? "true" : "false";
    // JSON.stringify escapes only what NEEDS_ESCAPE finds (quote, backslash, control characters,
    // lone surrogates; pairs are sent to it too): text with none of them, most strings of a
    // room, is written as it is, without JSON.stringify's set-up per call.
    if (typeof value === "string" && !NEEDS_ESCAPE.test(value)) return `"${value}"`;
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i += 1) {
      if (i > 0) out += ",";
      // An undefined element is written as nothing, as Array.prototype.join writes it.
      out += canonicalJson(value[i]) ?? "";
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = sortedKeys(record);
  let out = "{";
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i]!;
    const item = record[key];
    if (item === undefined) continue;
    if (out.length > 1) out += ",";
    out += keyPrefix(key) + canonicalJson(item);
  }
  return `${out}}`;
}

// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * Above this many keys an object's keys are sorted natively: insertion sort is quadratic, and
 * one hostile object may carry thousands of keys. Rooms have about 15.
 */
const INSERTION_SORT_MAX = 32;

/**
 * `Object.keys(record).sort()`, the same order (UTF-16 code units), with fewer allocations: the
 * native sort's temporary storage was a seventh of what a full sync allocated, and every
 * allocation here brings the next scavenge sooner.
 */
export function sortedKeys(record: object): string[] {
  return sortStrings(Object.keys(record));
}

/**
 * Sorts `strings` in place, in the default sort's order: `>` compares UTF-16 code units, as
 * `Array.prototype.sort` without a comparator does. Insertion sort allocates nothing; past
 * INSERTION_SORT_MAX it would be quadratic, so larger arrays take the native sort.
 */
export function sortStrings(strings: string[]): string[] {
  if (strings.length > INSERTION_SORT_MAX) return strings.sort();
  for (let i = 1; i < strings.length; i += 1) {
    const text = strings[i]!;
    let j = i - 1;
    while (j >= 0 && strings[j]! > text) {
      strings[j + 1] = strings[j]!;
      j -= 1;
    }
    strings[j + 1] = text;
  }
  return strings;
}

/**
 * `"key":` of the keys seen most, made once. Keys come from the upstream, so the cache is
 * bounded in entries and in key length: past the bound keys are quoted each time, as before.
 */
const keyPrefixes = new Map<string, string>();
const KEY_PREFIXES_MAX = 1_000;
const CACHED_KEY_MAX_CHARS = 64;

function keyPrefix(key: string): string {
  let prefix = keyPrefixes.get(key);
  if (prefix !== undefined) return prefix;
  prefix = `${JSON.stringify(key)}:`;
  if (keyPrefixes.size < KEY_PREFIXES_MAX && key.length <= CACHED_KEY_MAX_CHARS) keyPrefixes.set(key, prefix);
  return prefix;
}

/** How many keys the quoting cache holds; for tests of its bound. */
export function cachedKeyCount(): number {
  return keyPrefixes.size;
}

/**
 * The content hash stored per room: a room whose hash is unchanged costs no write. `crypto.hash`
 * gives the same digest as `createHash().update().digest()` in one call, without a Hash object
 * per room (half the time for a room-sized input).
 */
export function contentHash(raw: unknown): string {
  return hashCanonical(canonicalJson(raw));
}

/** `contentHash` of an item whose canonicalJson the caller already has (and keeps), as text or UTF-8. */
export function hashCanonical(json: string | Buffer): string {
  return hash("sha256", json, "base64url");
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

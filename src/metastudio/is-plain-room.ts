import * as z from "zod";

type Field = "string" | "int" | "boolean";

/** The scalar fields of roomSchema and voiceConfigSchema (room-schema.ts), all nullish. */
const ROOM_FIELDS: Record<string, Field> = {
  room_name: "string",
  room_description: "string",
  robot_id: "string",
  cover_url: "string",
  billing_mode: "string",
  default_language: "string",
  reuse_resource: "boolean",
  concurrency: "int",
  client_nums: "int",
  exit_mute_threshold: "int",
};
const VOICE_FIELDS: Record<string, Field> = {
  voice_asset_id: "string",
  provider: "string",
  language: "string",
  language_desc: "string",
  speed: "int",
  pitch: "int",
  volume: "int",
};
const MODEL_FIELDS: Record<string, Field> = { model_asset_id: "string", asset_name: "string" };

/**
 * The same check as roomSchema's times, so the fast path accepts exactly the strings zod accepts:
 * zod checks an ISO date-time by this one pattern, which is tested here without a safeParse
 * (its result and context objects) per time, two per room.
 */
const isoDateTime = z.iso.datetime({ offset: true });
const isoPattern = isoDateTime._zod.def.pattern;
// Should a zod release check more than a stateless pattern, its own check is taken instead.
const isIsoDateTime =
  isoPattern && !isoPattern.global && !isoPattern.sticky && isoDateTime._zod.def.checks === undefined
    ? (text: string) => isoPattern.test(text)
    : (text: string) => isoDateTime.safeParse(text).success;
const TIMES = ["create_time", "update_time"] as const;

type Item = Record<string, unknown>;

const isObject = (value: unknown): value is Item =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function fits(value: unknown, field: Field): boolean {
  if (value === undefined || value === null) return true;
  if (field === "string") return typeof value === "string";
  if (field === "boolean") return typeof value === "boolean";
  return typeof value === "number" && Number.isSafeInteger(value);
}

function fitsAll(item: Item, fields: Record<string, Field>): boolean {
  for (const key in fields) if (!fits(item[key], fields[key]!)) return false;
  return true;
}

const nullish = (value: unknown) => value === undefined || value === null;

/**
 * Whether `item` certainly passes roomSchema, checked without zod building a copy of it (zod
 * parses into a new object, which was a second copy of every item). Never more permissive than
 * the schema: an item it rejects goes through roomSchema, which accepts it or names what is
 * wrong, so error messages stay zod's.
 */
export function isPlainRoom(item: unknown): boolean {
  if (!isObject(item) || typeof item.room_id !== "string" || item.room_id.length === 0) return false;
  if (!fitsAll(item, ROOM_FIELDS)) return false;
  for (const key of TIMES) {
    const value = item[key];
    if (!nullish(value) && (typeof value !== "string" || !isIsoDateTime(value))) return false;
  }
  const model = item.model_infos;
  if (!nullish(model)) {
    if (!isObject(model) || !fitsAll(model, MODEL_FIELDS)) return false;
    const backups = model.backup_model_asset_ids;
    if (!nullish(backups) && !(Array.isArray(backups) && backups.every((id) => typeof id === "string")))
      return false;
  }
  if (!nullish(item.voice_config) && !isObject(item.voice_config)) return false;
  const voices = item.voice_config_list;
  if (nullish(voices)) return true;
  return Array.isArray(voices) && voices.every((voice) => isObject(voice) && fitsAll(voice, VOICE_FIELDS));
}

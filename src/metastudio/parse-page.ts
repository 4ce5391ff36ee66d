import type { z } from "zod";

import { documentedRanges, pageSchema, roomSchema, type SmartChatRoom } from "./room-schema.js";
import { isPlainRoom } from "./is-plain-room.js";
import { checkStorable } from "./storable-item.js";

/**
 * More rooms than one project can hold: a `count` above it is a lie or a fault, and paging it
 * would mean billions of requests (or, from `count` 1e12, an array too large to make).
 */
export const MAX_PLAUSIBLE_COUNT = 10_000_000;

/** An item stored with unstorable characters replaced (NUL, lone surrogates): worth a warning. */
export interface NormalisedItem {
  /** Position in the page, from 0. */
  index: number;
  offset: number;
  requestId: string | undefined;
  roomId: string;
  /** Where, e.g. `item.room_name` (a few at most). */
  paths: string[];
}

/** An item of a page that cannot be mirrored (no `room_id`, wrong types): reported and skipped. */
export interface InvalidItem {
  /** Position in the page, from 0. */
  index: number;
  /** Position in the whole list: the request's offset plus the index. */
  offset: number;
  /** `X-Request-Id` of the response that carried it, for a ticket upstream. */
  requestId: string | undefined;
  /** Short and safe to log: which fields were wrong, never their values. */
  reason: string;
  /** The item exactly as received. */
  item: unknown;
}

/** A value outside the range the API documents; kept as sent, since the upstream is the truth. */
export interface RangeWarning {
  roomId: string;
  /** Dotted path within the room, e.g. `voice_config_list[0].speed`. */
  field: string;
  value: number;
  range: readonly [number, number];
}

export interface ParsedPage {
  count: number;
  countConcurrency: number | undefined;
  countClientNums: number | undefined;
  countClientNumsToken: number | undefined;
  /** Valid items in upstream order; each is the raw item, so unknown fields are kept. */
  rooms: SmartChatRoom[];
  invalid: InvalidItem[];
  /** Rooms among `rooms` that were stored normalised. */
  normalised: NormalisedItem[];
}

export type PageParseResult =
  | { ok: true; page: ParsedPage; rangeWarnings: RangeWarning[] }
  /** The envelope itself is not a page: nothing in it can be trusted. */
  | { ok: false; reason: string };

/** Where the page came from, carried by every item report so a ticket upstream can name it. */
export interface PageContext {
  /** The request's offset: an item's position in the whole list is this plus its index. */
  offset: number;
  requestId: string | undefined;
}

export type PageEnvelope = z.infer<typeof pageSchema>;

/**
 * Checks a decoded 200 body against the documented shape. Items are checked one by one, so one
 * that cannot be mirrored is skipped while the rest of the page goes on. Pure: the caller logs.
 */
export function parsePage(body: unknown, context: PageContext): PageParseResult {
  const envelope = readEnvelope(body, context.offset);
  if (!envelope.ok) return envelope;
  const { data } = envelope;
  const page: ParsedPage = {
    count: data.count,
    countConcurrency: data.count_concurrency ?? undefined,
    countClientNums: data.count_client_nums ?? undefined,
    countClientNumsToken: data.count_client_nums_token ?? undefined,
    rooms: [],
    invalid: [],
    normalised: [],
  };
  const rangeWarnings: RangeWarning[] = [];
  const list = data.smart_chat_rooms ?? [];
  for (let index = 0; index < list.length; index += 1) {
    addItem(list[index], index, context, page, rangeWarnings);
  }
  return { ok: true, page, rangeWarnings };
}

/** The envelope when it can be trusted, or why not: then nothing in the page can be. */
export function readEnvelope(
  body: unknown,
  offset: number,
): { ok: true; data: PageEnvelope } | { ok: false; reason: string } {
  const envelope = pageSchema.safeParse(body);
  if (!envelope.success) return { ok: false, reason: describeIssues(envelope.error.issues, "body") };
  const { data } = envelope;
  if (data.count > MAX_PLAUSIBLE_COUNT) {
    return {
      ok: false,
      reason: `count ${data.count} cannot be real (more than ${MAX_PLAUSIBLE_COUNT} rooms in one project)`,
    };
  }
  // A missing list is how an empty page may look; a missing list where rooms should be is not
  // empty, and reading it as empty would make rooms look deleted.
  if (data.smart_chat_rooms == null && data.count > offset) {
    return {
      ok: false,
      reason: `smart_chat_rooms is missing although count is ${data.count} and offset ${offset}`,
    };
  }
  return { ok: true, data };
}

/**
 * One item into the page: a room (with its range warnings, and a note if it was normalised) or
 * an invalid item. Runs for every item of every page, so it adds to the caller's lists and
 * allocates only what it keeps.
 */
function addItem(
  received: unknown,
  index: number,
  context: PageContext,
  page: ParsedPage,
  rangeWarnings: RangeWarning[],
): void {
  const storable = checkStorable(received);
  if (!storable.ok) {
    page.invalid.push(invalidItem(index, context, storable.reason, received));
    return;
  }
  const item = storable.item;
  // Zod only for items the plain check is unsure of: it names what is wrong, but copies each item.
  const parsed = isPlainRoom(item) ? undefined : roomSchema.safeParse(item);
  if (parsed !== undefined && !parsed.success) {
    page.invalid.push(invalidItem(index, context, describeIssues(parsed.error.issues, "item"), item));
    return;
  }
  const room = item as SmartChatRoom;
  page.rooms.push(room);
  addOutOfRange(room, rangeWarnings);
  if (storable.normalised.length > 0) {
    const { offset, requestId } = context;
    page.normalised.push({
      index,
      offset: offset + index,
      requestId,
      roomId: room.room_id,
      paths: storable.normalised,
    });
  }
}

function invalidItem(index: number, context: PageContext, reason: string, item: unknown): InvalidItem {
  return { index, offset: context.offset + index, requestId: context.requestId, reason, item };
}

const ROOM_RANGED = ["concurrency", "client_nums", "exit_mute_threshold"] as const;
const VOICE_RANGED = ["speed", "pitch", "volume"] as const;

/** Values outside `documentedRanges`, in the room, its voice list and the deprecated voice_config. */
export function outOfRange(room: SmartChatRoom): RangeWarning[] {
  const warnings: RangeWarning[] = [];
  addOutOfRange(room, warnings);
  return warnings;
}

/**
 * outOfRange into the caller's list. Called for every room, nearly all in range: it allocates
 * nothing until a value is out of range (no field lists, closure or iterator per call).
 */
function addOutOfRange(room: SmartChatRoom, warnings: RangeWarning[]): void {
  for (const field of ROOM_RANGED) {
    const value = room[field];
    if (isOutside(field, value)) warnings.push(warning(room, field, field, value));
  }
  const voices = room.voice_config_list;
  for (let i = 0; voices != null && i < voices.length; i += 1) {
    const voice = voices[i]!;
    for (const field of VOICE_RANGED) {
      const value = voice[field];
      if (isOutside(field, value)) {
        warnings.push(warning(room, field, `voice_config_list[${i}].${field}`, value));
      }
    }
  }
  const deprecated = room.voice_config;
  if (deprecated == null) return;
  for (const field of VOICE_RANGED) {
    const value = deprecated[field];
    if (isOutside(field, value)) warnings.push(warning(room, field, `voice_config.${field}`, value));
  }
}

function isOutside(field: string, value: unknown): value is number {
  if (typeof value !== "number") return false;
  const range = documentedRanges[field];
  return range !== undefined && (value < range[0] || value > range[1]);
}

function warning(room: SmartChatRoom, field: string, path: string, value: number): RangeWarning {
  return { roomId: room.room_id, field: path, value, range: documentedRanges[field]! };
}

/** At most three issues, paths and messages only: zod's messages do not echo input values. */
function describeIssues(issues: readonly z.core.$ZodIssue[], root: string): string {
  const shown = issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join(".") : root}: ${issue.message}`);
  if (issues.length > 3) shown.push(`and ${issues.length - 3} more`);
  return shown.join("; ");
}

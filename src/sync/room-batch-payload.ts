import type { ChangeValues } from "./change-values.js";
import { JsonBytes } from "./json-bytes.js";
import type { PreparedRoom, RoomOutcome } from "./room-diff.js";

/** A room of a batch as the write statement takes it: with its decision, or only seen. */
export interface PayloadRoom {
  prepared: PreparedRoom;
  /** Absent: unchanged or stale, so only marked seen. */
  kind?: Exclude<RoomOutcome, "unchanged" | "stale">;
  fields?: readonly string[];
  /** `updated` only: what its change row keeps; the others keep `raw` whole, taken in SQL. */
  values?: ChangeValues;
}

/**
 * The write statement's one parameter, built before its statement is sent: a JSON array of room
 * entries in jsonb's binary wire format (a version byte, then the text), which node-postgres
 * sends as it is. The entries are written as UTF-8 straight into the parameter (JsonBytes), never
 * a string to build and encode. The item travels once (`raw`, the bytes prepareRoom made), and
 * the typed columns are derived from it in SQL, except what node must decide (room-record's
 * sentColumns).
 */
export function roomBatchPayload(rooms: readonly PayloadRoom[]): Buffer {
  // Sized so it rarely grows: a written room's item and other fields, a seen room's ID and request.
  let size = 16;
  for (const { prepared, kind } of rooms)
    size += kind === undefined ? SEEN_ENTRY_BYTES : prepared.bytes.size + ENTRY_BYTES;
  const out = new JsonBytes(size);
  out.byte(JSONB_FORMAT_VERSION);
  out.byte(BRACKET_OPEN);
  for (let i = 0; i < rooms.length; i += 1) {
    if (i > 0) out.byte(COMMA);
    writeEntry(out, rooms[i]!);
  }
  out.byte(BRACKET_CLOSE);
  return out.view();
}

/** jsonb's binary input format: this version byte, then the JSON text (Postgres' jsonb_recv). */
export const JSONB_FORMAT_VERSION = 1;
const [BRACKET_OPEN, BRACKET_CLOSE, BRACE_CLOSE, COMMA, QUOTE] = [0x5b, 0x5d, 0x7d, 0x2c, 0x22];
/** A written room's fields besides `raw`, generously: they run to ~350 bytes. */
const ENTRY_BYTES = 512;
/** A seen room's entry: a UUID-sized ID and a request ID come to ~100 bytes. */
const SEEN_ENTRY_BYTES = 128;

/** A room merely seen: its ID and request; a written room: its decision and item too. */
function writeEntry(out: JsonBytes, { prepared, kind, fields, values }: PayloadRoom): void {
  out.ascii('{"room_id":');
  out.string(prepared.id);
  out.ascii(',"request_id":');
  out.stringOrNull(prepared.requestId);
  if (kind === undefined) return out.byte(BRACE_CLOSE);
  const { sent } = prepared;
  out.ascii(',"change":"');
  out.ascii(kind);
  out.ascii('","name":');
  out.stringOrNull(sent.name);
  out.ascii(',"model_asset_id":');
  out.stringOrNull(sent.modelAssetId);
  out.ascii(',"create_time":');
  writeTime(out, sent.createTime);
  out.ascii(',"update_time":');
  writeTime(out, sent.updateTime);
  out.ascii(',"hash":"');
  out.ascii(prepared.hash);
  out.ascii('","fields":[');
  for (let i = 0; i < (fields?.length ?? 0); i += 1) {
    if (i > 0) out.byte(COMMA);
    out.string(fields![i]!);
  }
  out.byte(BRACKET_CLOSE);
  if (kind === "updated") {
    out.ascii(',"before":');
    out.text(JSON.stringify(values?.before ?? null));
    out.ascii(',"after":');
    out.text(JSON.stringify(values?.after ?? null));
  }
  out.ascii(',"raw":');
  out.span(prepared.bytes);
  out.byte(BRACE_CLOSE);
}

/** A time as sentColumns made it: ASCII with nothing to escape (an ISO time), or null. */
function writeTime(out: JsonBytes, text: string | null): void {
  if (text === null) return out.ascii("null");
  out.byte(QUOTE);
  out.ascii(text);
  out.byte(QUOTE);
}

/** The decision read's parameter, in jsonb's binary format like the write's: each room's ID and hash. */
export function roomKeysPayload(rooms: ReadonlyArray<{ id: string; hash: string }>): Buffer {
  const out = new JsonBytes(rooms.length * KEY_BYTES + 16);
  out.byte(JSONB_FORMAT_VERSION);
  out.byte(BRACKET_OPEN);
  for (let i = 0; i < rooms.length; i += 1) {
    if (i > 0) out.byte(COMMA);
    out.ascii('{"id":');
    out.string(rooms[i]!.id);
    out.ascii(',"hash":"');
    out.ascii(rooms[i]!.hash);
    out.ascii('"}');
  }
  out.byte(BRACKET_CLOSE);
  return out.view();
}

/** A key's entry: a UUID-sized ID and a sha256 in base64url come to ~100 bytes. */
const KEY_BYTES = 128;

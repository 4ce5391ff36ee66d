import type { ChangeValues } from "./change-values.js";
import type { ObservedRoom, PreparedRoom, RoomOutcome } from "./room-diff.js";

/** A room of a batch as the write statement takes it: with its decision, or only seen. */
export interface PayloadRoom {
  observed: ObservedRoom;
  prepared: PreparedRoom;
  /** Absent: unchanged or stale, so only marked seen. */
  kind?: Exclude<RoomOutcome, "unchanged" | "stale">;
  fields?: readonly string[];
  /** `updated` only: what its change row keeps; the others keep `raw` whole, taken in SQL. */
  values?: ChangeValues;
}

const text = (value: string | null | undefined) => (value == null ? "null" : JSON.stringify(value));
const time = (value: Date | null) => (value === null ? "null" : `"${value.toISOString()}"`);

/**
 * The write statement's one parameter, built before its statement is sent: a JSON array of room
 * entries in jsonb's binary wire format (a version byte, then the text), which node-postgres
 * sends as it is, so the batch is never one long string to flatten and encode. The item travels
 * once (`raw`, the bytes prepareRoom made), and the typed columns are derived from it in SQL,
 * except what node must decide: a name or model asset ID clipped to fit its index (sent only
 * when clipped) and the times as node parsed them, which the stale check compares at
 * millisecond precision.
 */
export function roomBatchPayload(rooms: readonly PayloadRoom[]): Buffer {
  // Each entry is its text up to `raw`, then the item's bytes and a closing brace.
  const heads = rooms.map(entryHead);
  // The version byte, the brackets, and a comma before each entry but the first.
  let size = 3 + Math.max(0, rooms.length - 1);
  for (let i = 0; i < rooms.length; i += 1) {
    size += Buffer.byteLength(heads[i]!);
    if (rooms[i]!.kind !== undefined) size += rooms[i]!.prepared.bytes.length + 1;
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  out[at++] = JSONB_FORMAT_VERSION;
  out[at++] = BRACKET_OPEN;
  for (let i = 0; i < rooms.length; i += 1) {
    if (i > 0) out[at++] = COMMA;
    at += out.write(heads[i]!, at);
    if (rooms[i]!.kind === undefined) continue;
    at += rooms[i]!.prepared.bytes.copy(out, at);
    out[at++] = BRACE_CLOSE;
  }
  out[at++] = BRACKET_CLOSE;
  if (at !== size) throw new Error(`room batch payload: wrote ${at} bytes of ${size}`);
  return out;
}

/** jsonb's binary input format: this version byte, then the JSON text (Postgres' jsonb_recv). */
export const JSONB_FORMAT_VERSION = 1;
const [BRACKET_OPEN, BRACKET_CLOSE, BRACE_CLOSE, COMMA] = [0x5b, 0x5d, 0x7d, 0x2c];

/** A room merely seen, whole; a written room's entry up to its `raw` value. */
function entryHead({ observed, prepared, kind, fields, values }: PayloadRoom): string {
  const id = JSON.stringify(observed.room.room_id);
  const requestId = text(observed.requestId);
  if (kind === undefined) return `{"room_id":${id},"request_id":${requestId}}`;
  const { columns } = prepared;
  const name = columns.roomName === (observed.room.room_name ?? null) ? "null" : text(columns.roomName);
  const model =
    columns.modelAssetId === (observed.room.model_infos?.model_asset_id ?? null)
      ? "null"
      : text(columns.modelAssetId);
  const changeValues =
    kind === "updated"
      ? `,"before":${JSON.stringify(values?.before ?? null)},"after":${JSON.stringify(values?.after ?? null)}`
      : "";
  return (
    `{"room_id":${id},"request_id":${requestId},"change":"${kind}","name":${name},"model_asset_id":${model},` +
    `"create_time":${time(columns.createTime)},"update_time":${time(columns.updateTime)},` +
    `"hash":"${prepared.hash}","fields":${JSON.stringify(fields ?? [])}${changeValues},"raw":`
  );
}

/** The decision read's parameter: each room's ID and incoming hash. */
export function roomKeysPayload(rooms: Iterable<{ id: string; hash: string }>): string {
  const parts: string[] = [];
  for (const { id, hash } of rooms) parts.push(`{"id":${JSON.stringify(id)},"hash":"${hash}"}`);
  return `[${parts.join(",")}]`;
}

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
 * The write statement's one parameter, built as one string before its statement is sent: the
 * item travels once (`raw`), and the typed columns are derived from it in SQL, except what node
 * must decide: a name or model asset ID clipped to fit its index (sent only when clipped) and
 * the times as node parsed them, which the stale check compares at millisecond precision.
 */
export function roomBatchPayload(rooms: readonly PayloadRoom[]): string {
  const parts: string[] = [];
  for (const { observed, prepared, kind, fields, values } of rooms) {
    const id = JSON.stringify(observed.room.room_id);
    const requestId = text(observed.requestId);
    if (kind === undefined) {
      parts.push(`{"room_id":${id},"request_id":${requestId}}`);
      continue;
    }
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
    parts.push(
      `{"room_id":${id},"request_id":${requestId},"change":"${kind}","name":${name},"model_asset_id":${model},` +
        `"create_time":${time(columns.createTime)},"update_time":${time(columns.updateTime)},` +
        `"hash":"${prepared.hash}","fields":${JSON.stringify(fields ?? [])}${changeValues},` +
        `"raw":${prepared.json}}`,
    );
  }
  return `[${parts.join(",")}]`;
}

/** The decision read's parameter: each room's ID and incoming hash. */
export function roomKeysPayload(rooms: Iterable<{ id: string; hash: string }>): string {
  const parts: string[] = [];
  for (const { id, hash } of rooms) parts.push(`{"id":${JSON.stringify(id)},"hash":"${hash}"}`);
  return `[${parts.join(",")}]`;
}

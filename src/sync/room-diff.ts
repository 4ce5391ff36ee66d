import type { SmartChatRoom } from "../metastudio/room-schema.js";
import type { ChangeKind } from "../vocabulary.js";
import { canonicalBytes, sortedKeys } from "./canonical-json.js";
import { changedFields, decidedColumns, hashCanonical } from "./room-record.js";

/** A room as a page carried it, with what the writer derived from it ahead of the transaction. */
export interface ObservedRoom {
  room: SmartChatRoom;
  /** `X-Request-Id` of the response that carried it. */
  requestId: string | undefined;
  /** `prepareRoom(...)`, when the caller computed it ahead of the transaction. */
  prepared?: PreparedRoom;
}

export interface PreparedRoom {
  hash: string;
  /**
   * The item as canonical JSON in UTF-8 (canonical-json's canonicalBytes, written as bytes without
   * a string in between): hashed, and copied into the write's parameter as `raw` (jsonb
   * keeps no key order), so the item is serialised and encoded once.
   */
  bytes: Buffer;
  /** room-record's decidedColumns: what the write takes from node besides `raw`. */
  columns: ReturnType<typeof decidedColumns>;
}

/** What the mirror holds of a room, as far as the decision needs it. */
export interface StoredRoom {
  contentHash: string;
  deletedAt: Date | null;
  updateTime: Date | null;
}

/**
 * What one observation means for the mirror. `stale` is an item older than the one stored (a
 * page fetched before an update but processed after it, since pages run in parallel): it must
 * not overwrite the newer one, and like `unchanged` it costs no write.
 */
export type RoomOutcome =
  Extract<ChangeKind, "discovered" | "created" | "updated" | "restored"> | "unchanged" | "stale";

/** What the writer needs of a room, made once per room ahead of its batch. */
export function prepareRoom(room: SmartChatRoom): PreparedRoom {
  const canonical = canonicalBytes(room);
  // A copy of the room's size (from Buffer's shared pool below 4 KB): the scratch is reused.
  return { hash: hashCanonical(canonical), bytes: Buffer.from(canonical), columns: decidedColumns(room) };
}

/**
 * The decision for one room, from its stored state (undefined: never seen) and the new item. While
 * `discovering` (no run of the project has succeeded yet) a new room existed before mirroring
 * began: it is `discovered`, and `created` is kept for rooms that appeared after.
 */
export function decideRoom(
  prepared: PreparedRoom,
  stored: StoredRoom | undefined,
  discovering = false,
): RoomOutcome {
  if (!stored) return discovering ? "discovered" : "created";
  const same = stored.contentHash === prepared.hash;
  const stale = !same && isOlder(prepared.columns.updateTime, stored.updateTime);
  // A room that comes back is restored even when its content is what we last had.
  if (stored.deletedAt !== null) return "restored";
  return same ? "unchanged" : stale ? "stale" : "updated";
}

/** A room can come twice in one batch (overlapping windows, repeated passes): the newest wins. */
export function latestPerRoom(rooms: readonly ObservedRoom[]): Map<string, ObservedRoom> {
  const latest = new Map<string, ObservedRoom>();
  for (const observed of rooms) {
    const prior = latest.get(observed.room.room_id);
    if (!prior || !isOlderItem(observed.room, prior.room)) latest.set(observed.room.room_id, observed);
  }
  return latest;
}

/**
 * The fields a change names: every field for a new room, else the top-level fields whose value
 * differs from the item stored before (`before`, the previous raw item, kept for the caller).
 */
export function fieldsOfChange(
  kind: RoomOutcome,
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown>,
): string[] {
  return isNewRoom(kind) ? sortedKeys(after) : changedFields(before ?? {}, after);
}

/** A room the mirror never held: it gets a row of its own, nothing is rewritten. */
export function isNewRoom(kind: RoomOutcome): kind is "created" | "discovered" {
  return kind === "created" || kind === "discovered";
}

function isOlder(incoming: Date | null, stored: Date | null): boolean {
  return incoming !== null && stored !== null && incoming.getTime() < stored.getTime();
}

function updateMillis(room: SmartChatRoom): number | undefined {
  const parsed = room.update_time ? Date.parse(room.update_time) : Number.NaN;
  return Number.isNaN(parsed) ? undefined : parsed;
}

function isOlderItem(candidate: SmartChatRoom, than: SmartChatRoom): boolean {
  const a = updateMillis(candidate);
  const b = updateMillis(than);
  return a !== undefined && b !== undefined && a < b;
}

import type { SmartChatRoom } from "../metastudio/room-schema.js";
import type { ChangeKind } from "../vocabulary.js";
import { ByteArena, spanBytes, type ByteSpan } from "./byte-arena.js";
import { canonicalBytes } from "./canonical-json.js";
import { sortedFieldNames } from "./field-names.js";
import { changedFields, hashCanonical, parseTimeMs, sentColumns, type SentColumns } from "./room-record.js";

/** A room as a page carried it. */
export interface ObservedRoom {
  room: SmartChatRoom;
  /** `X-Request-Id` of the response that carried it. */
  requestId: string | undefined;
}

/**
 * What the writer keeps of a room from its page to its batch's write: the item's canonical bytes
 * and the few values the decision and the write take, never the parsed item. Rooms wait through
 * their batch and the one before it, so V8 found the items alive at nearly every scavenge, copied
 * them and promoted them to the old generation to die there (a 100k-room full sync: 3.8 MB
 * survived a scavenge in median with the items kept, 3.0 MB without; 145 and 127 MB promoted).
 */
export interface PreparedRoom {
  id: string;
  /** `X-Request-Id` of the response that carried it. */
  requestId: string | undefined;
  /** `room_name` as received, for a change's summary. */
  name: string | null;
  hash: string;
  /**
   * The item as canonical JSON in UTF-8 (canonical-json's canonicalBytes, written as bytes without
   * a string in between), packed with other rooms' (ByteArena): hashed, and copied into the
   * write's parameter as `raw` (jsonb keeps no key order), so the item is serialised and encoded
   * once. An update's diff parses it back (itemOf).
   */
  bytes: ByteSpan;
  /** The item's top-level field names, sorted and shared (sortedFieldNames): a new room's change names them all. */
  fields: readonly string[];
  /** Entries of `voice_config_list`: the voice rows writing the room makes. */
  voiceConfigs: number;
  /**
   * `update_time` as node parses it, in epoch milliseconds: the stale check's, and which of two
   * sightings is newer. A number, not a Date: a Date per waiting room was 150 bytes of heap.
   */
  updateMs: number | null;
  /** room-record's sentColumns: what the write takes from node besides `raw`. */
  sent: SentColumns;
}

/** What the mirror holds of a room, as far as the decision needs it. */
export interface StoredRoom {
  contentHash: string;
  deletedAt: Date | null;
  /** `update_time` in epoch milliseconds. */
  updateMs: number | null;
  /**
   * The row was written by the run deciding now (`written_by_run`): only then can the incoming
   * item be a late page of that run's, older than what the run already stored (see RoomOutcome).
   */
  writtenThisRun: boolean;
}

/**
 * What one observation means for the mirror. `stale` is an item older than the one the same run
 * stored (a page fetched before an update but processed after it, since pages run in parallel):
 * it must not overwrite the newer one, and like `unchanged` it costs no write. Against a row an
 * earlier run wrote, every page of this run was fetched after that write, so the item is the
 * upstream's current state whatever its `update_time`: an edit that moved the time back (a clock
 * corrected upstream, a room once stamped in the future) is `updated`, or it would never be.
 */
export type RoomOutcome =
  Extract<ChangeKind, "discovered" | "created" | "updated" | "restored"> | "unchanged" | "stale";

/** Where prepared rooms' bytes are kept; see ByteArena for how long. */
const arena = new ByteArena();

/** What the writer keeps of `room` (see PreparedRoom), made once per room as its page arrives. */
export function prepareRoom(room: SmartChatRoom, requestId?: string): PreparedRoom {
  const canonical = canonicalBytes(room);
  return {
    id: room.room_id,
    requestId,
    name: room.room_name ?? null,
    hash: hashCanonical(canonical),
    // A copy, since the scratch is reused.
    bytes: arena.store(canonical),
    fields: sortedFieldNames(room),
    voiceConfigs: room.voice_config_list?.length ?? 0,
    updateMs: parseTimeMs(room.update_time),
    sent: sentColumns(room),
  };
}

/** The item `prepared` was made from, parsed back from its canonical bytes: same content. */
export function itemOf(prepared: PreparedRoom): Record<string, unknown> {
  return JSON.parse(spanBytes(prepared.bytes).toString()) as Record<string, unknown>;
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
  const stale = !same && stored.writtenThisRun && isOlder(prepared.updateMs, stored.updateMs);
  // A room that comes back is restored even when its content is what we last had.
  if (stored.deletedAt !== null) return "restored";
  return same ? "unchanged" : stale ? "stale" : "updated";
}

/** A room can come twice in one batch (overlapping windows, repeated passes): the newest wins. */
export function latestPerRoom(rooms: readonly PreparedRoom[]): Map<string, PreparedRoom> {
  const latest = new Map<string, PreparedRoom>();
  for (const room of rooms) {
    const prior = latest.get(room.id);
    if (!prior || !isOlder(room.updateMs, prior.updateMs)) latest.set(room.id, room);
  }
  return latest;
}

/**
 * The fields a change names: every field of a new room (no `after`), else the top-level fields
 * whose value differs between `before`, the item stored, and `after`, the new one (itemOf).
 */
export function fieldsOfChange(
  prepared: PreparedRoom,
  before: Record<string, unknown> | undefined,
  after?: Record<string, unknown>,
): readonly string[] {
  return after === undefined ? prepared.fields : changedFields(before ?? {}, after);
}

/** A room the mirror never held: it gets a row of its own, nothing is rewritten. */
export function isNewRoom(kind: RoomOutcome): kind is "created" | "discovered" {
  return kind === "created" || kind === "discovered";
}

function isOlder(incoming: number | null, stored: number | null): boolean {
  return incoming !== null && stored !== null && incoming < stored;
}

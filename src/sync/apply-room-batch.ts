import type { PlannedChange } from "../db/apply-room-batch.js";
import { loadStoredRooms, storeRoomBatch } from "../db/apply-room-batch.js";
import type { Db } from "../db/database.js";
import { changeValues } from "./change-values.js";
import { roomBatchPayload, roomKeysPayload, type PayloadRoom } from "./room-batch-payload.js";
import {
  decideRoom,
  fieldsOfChange,
  isNewRoom,
  latestPerRoom,
  prepareRoom,
  type ObservedRoom,
  type StoredRoom,
} from "./room-diff.js";

export type { ObservedRoom, PlannedChange, PayloadRoom };
export { prepareRoom };

export interface BatchResult {
  inserted: number;
  updated: number;
  restored: number;
  /** Same content as stored, or an older version than stored (a page that arrived late). */
  unchanged: number;
  roomRowsWritten: number;
  voiceRowsWritten: number;
  changes: PlannedChange[];
  /** The stored raw item before each update or restore, by room ID, for whoever records it. */
  before: Map<string, Record<string, unknown>>;
}

/** What the decision knows of each stored room of a batch, by room ID. */
export type StoredRooms = Map<string, StoredRoom & { raw: Record<string, unknown> | null }>;

export interface BatchInput {
  projectId: string;
  runId: string;
  observedAt: Date;
  dryRun: boolean;
  /** No run of the project has succeeded yet: new rooms are `discovered`, not `created`. @default false */
  discovering?: boolean;
}

/** The rooms of a batch, the newest of each ID, hashed (if the caller has not already). */
export function batchOf(projectId: string, rooms: readonly ObservedRoom[]): PayloadRoom[] {
  const batch: PayloadRoom[] = [];
  for (const observed of latestPerRoom(rooms).values()) {
    batch.push({ observed, prepared: (observed.prepared ??= prepareRoom(projectId, observed.room)) });
  }
  return batch;
}

/** One read: the stored state of the batch's rooms, and the items of those whose hash differs. */
export async function readStoredRooms(
  db: Db,
  projectId: string,
  batch: readonly PayloadRoom[],
): Promise<StoredRooms> {
  const keys = roomKeysPayload(
    batch.map(({ observed, prepared }) => ({ id: observed.room.room_id, hash: prepared.hash })),
  );
  const stored: StoredRooms = new Map();
  for (const row of await loadStoredRooms(db, projectId, keys)) {
    stored.set(row.room_id, {
      contentHash: row.content_hash,
      deletedAt: row.deleted ? new Date(0) : null,
      updateTime: row.update_ms === null ? null : new Date(Number(row.update_ms)),
      raw: row.raw,
    });
  }
  return stored;
}

/**
 * What the mirror holds of the batch's rooms once its write has committed: a later batch decided
 * before that commit is visible to its read takes these instead.
 */
export function storedAfter(batch: readonly PayloadRoom[]): StoredRooms {
  const after: StoredRooms = new Map();
  for (const { observed, prepared, kind } of batch) {
    if (kind === undefined) continue;
    after.set(observed.room.room_id, {
      contentHash: prepared.hash,
      deletedAt: null,
      updateTime: prepared.columns.updateTime,
      raw: observed.room,
    });
  }
  return after;
}

/** The decision per room (room-diff), recorded on the batch's entries for the write. */
export function decideBatch(
  batch: readonly PayloadRoom[],
  stored: StoredRooms,
  discovering = false,
): BatchResult {
  const result: BatchResult = {
    inserted: 0,
    updated: 0,
    restored: 0,
    unchanged: 0,
    roomRowsWritten: 0,
    voiceRowsWritten: 0,
    changes: [],
    before: new Map(),
  };
  for (const entry of batch) {
    const { observed, prepared } = entry;
    const known = stored.get(observed.room.room_id);
    const kind = decideRoom(prepared, known, discovering);
    if (kind === "unchanged" || kind === "stale") {
      result.unchanged += 1;
      continue;
    }
    const previous = known?.raw ?? undefined;
    if (previous !== undefined && !isNewRoom(kind)) result.before.set(observed.room.room_id, previous);
    const after = observed.room as Record<string, unknown>;
    const fields = fieldsOfChange(kind, previous, after);
    result[isNewRoom(kind) ? "inserted" : kind] += 1;
    entry.kind = kind;
    entry.fields = fields;
    if (kind === "updated") entry.values = changeValues(kind, previous, after, fields);
    result.changes.push({
      roomId: observed.room.room_id,
      roomName: observed.room.room_name ?? null,
      change: kind,
      changedFields: fields,
      requestId: observed.requestId,
    });
  }
  return result;
}

/** Writes a decided batch in one statement; fills in the rows written. */
export async function storeBatch(
  db: Db,
  input: BatchInput,
  batch: readonly PayloadRoom[],
  result: BatchResult,
) {
  await storeRoomBatch(db, { ...input, payload: roomBatchPayload(batch) });
  let voices = 0;
  for (const { observed, kind } of batch)
    if (kind !== undefined) voices += observed.room.voice_config_list?.length ?? 0;
  result.roomRowsWritten = result.changes.length;
  result.voiceRowsWritten = voices;
}

/**
 * Applies one batch of observed rooms: one read of the stored hashes (and of the stored items of
 * rooms whose hash differs), the decision per room (room-diff), then one statement that writes
 * what changed and marks every room seen. The statement's parameter is complete before it is
 * sent, so Postgres never holds a transaction open while node works. Reading outside the write's
 * transaction is safe because one writer per project runs at a time (the project lock) and its
 * batches are written one after the other. With `dryRun` it reads and decides, writes nothing.
 */
export async function applyRoomBatch(
  db: Db,
  input: BatchInput & { rooms: ObservedRoom[] },
): Promise<BatchResult> {
  const batch = batchOf(input.projectId, input.rooms);
  if (batch.length === 0) return decideBatch(batch, new Map());
  const result = decideBatch(batch, await readStoredRooms(db, input.projectId, batch), input.discovering);
  if (!input.dryRun && batch.length > 0) await storeBatch(db, input, batch, result);
  return result;
}

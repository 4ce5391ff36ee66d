import type { PlannedChange } from "../db/apply-room-batch.js";
import { loadStoredRooms, storeRoomBatch } from "../db/apply-room-batch.js";
import type { Db } from "../db/database.js";
import { changeValues } from "./change-values.js";
import { roomBatchPayload, roomKeysPayload, type PayloadRoom } from "./room-batch-payload.js";
import {
  decideRoom,
  fieldsOfChange,
  isNewRoom,
  itemOf,
  latestPerRoom,
  prepareRoom,
  type ObservedRoom,
  type PreparedRoom,
  type StoredRoom,
} from "./room-diff.js";

export type { ObservedRoom, PlannedChange, PayloadRoom, PreparedRoom };
export { prepareRoom };

export interface BatchResult {
  inserted: number;
  updated: number;
  restored: number;
  /**
   * Same content as stored, or an older version than this run stored (one of its pages that
   * arrived late): room-diff's `stale`.
   */
  unchanged: number;
  roomRowsWritten: number;
  voiceRowsWritten: number;
  changes: PlannedChange[];
  /** The stored raw item before each update or restore, by room ID, for whoever records it. */
  before: Map<string, Record<string, unknown>>;
}

/** A batch with its decision: the result, and each room with its change (or none) for the write. */
export interface DecidedBatch {
  result: BatchResult;
  rooms: PayloadRoom[];
}

/** What the decision knows of each stored room of a batch, by room ID. */
export type StoredRooms = Map<string, StoredRoom & { raw: Record<string, unknown> | null }>;

export interface BatchInput {
  projectId: string;
  runId: string;
  observedAt: Date;
  /** No run of the project has succeeded yet: new rooms are `discovered`, not `created`. @default false */
  discovering?: boolean;
}

/** The rooms of a batch, the newest of each ID. */
export function batchOf(rooms: readonly PreparedRoom[]): PayloadRoom[] {
  const batch: PayloadRoom[] = [];
  for (const prepared of latestPerRoom(rooms).values()) batch.push({ prepared });
  return batch;
}

/**
 * One read: the stored state of the batch's rooms, and the items of those whose hash differs, as
 * run `runId` (the one deciding) sees them.
 */
export async function readStoredRooms(
  db: Db,
  { projectId, runId }: { projectId: string; runId: string },
  batch: readonly PayloadRoom[],
): Promise<StoredRooms> {
  const keys = roomKeysPayload(batch.map(({ prepared }) => ({ id: prepared.id, hash: prepared.hash })));
  const stored: StoredRooms = new Map();
  for (const row of await loadStoredRooms(db, projectId, keys)) {
    stored.set(row.room_id, {
      contentHash: row.content_hash,
      deletedAt: row.deleted ? new Date(0) : null,
      updateMs: row.update_ms === null ? null : Number(row.update_ms),
      raw: row.raw,
      writtenThisRun: row.written_by_run === runId,
    });
  }
  return stored;
}

/** The decision per room (room-diff); the batch's entries are left as they are. */
export function decideBatch(
  batch: readonly PayloadRoom[],
  stored: StoredRooms,
  discovering = false,
): DecidedBatch {
  const rooms: PayloadRoom[] = [];
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
  for (const { prepared } of batch) {
    const known = stored.get(prepared.id);
    const kind = decideRoom(prepared, known, discovering);
    if (kind === "unchanged" || kind === "stale") {
      result.unchanged += 1;
      rooms.push({ prepared });
      continue;
    }
    const previous = known?.raw ?? undefined;
    if (previous !== undefined && !isNewRoom(kind)) result.before.set(prepared.id, previous);
    // Parsed back only for a room stored before: a new room's change names its keys, nothing more.
    const after = isNewRoom(kind) ? undefined : itemOf(prepared);
    const fields = fieldsOfChange(prepared, previous, after);
    result[isNewRoom(kind) ? "inserted" : kind] += 1;
    const values = kind === "updated" && after ? changeValues(kind, previous, after, fields) : undefined;
    rooms.push({ prepared, kind, fields, values });
    result.changes.push({
      roomId: prepared.id,
      roomName: prepared.name,
      change: kind,
      changedFields: fields,
      requestId: prepared.requestId,
    });
  }
  return { result, rooms };
}

/** A batch ready to write: decided, with its statement's parameter built. */
export interface PreparedBatch {
  input: BatchInput;
  decided: DecidedBatch;
  payload: Buffer;
}

/**
 * Reads and decides a batch and builds its statement's parameter. The read sees every batch
 * committed before it; the writer never prepares a batch while another holding one of its rooms
 * is still being written, and no other writer touches the project (the project lock).
 */
export async function prepareBatch(
  db: Db,
  input: BatchInput,
  batch: PayloadRoom[],
  { unstored = false }: { unstored?: boolean } = {},
): Promise<PreparedBatch> {
  // `unstored`: the caller knows no room of the batch has a row (see RoomIdFilter), so none is read.
  const stored: StoredRooms = unstored ? new Map<string, never>() : await readStoredRooms(db, input, batch);
  const decided = decideBatch(batch, stored, input.discovering);
  return { input, decided, payload: roomBatchPayload(decided.rooms) };
}

/**
 * Writes a decided batch in one statement (its parameter `payload`, roomBatchPayload of its
 * rooms, built by the caller ahead of time or here); fills in the rows written.
 */
export async function storeBatch(
  db: Db,
  input: BatchInput,
  { result, rooms }: DecidedBatch,
  payload = roomBatchPayload(rooms),
) {
  await storeRoomBatch(db, { ...input, payload });
  let voices = 0;
  for (const { prepared, kind } of rooms) if (kind !== undefined) voices += prepared.voiceConfigs;
  result.roomRowsWritten = result.changes.length;
  result.voiceRowsWritten = voices;
}

/**
 * Applies one batch of observed rooms: one read of the stored hashes (and of the stored items of
 * rooms whose hash differs), the decision per room (room-diff), then one statement that writes
 * what changed and marks every room seen. The statement's parameter is complete before it is
 * sent, so Postgres never holds a transaction open while node works. Reading outside the write's
 * transaction is safe because one writer per project runs at a time (the project lock) and its
 * batches are written one after the other.
 */
export async function applyRoomBatch(
  db: Db,
  input: BatchInput & { rooms: PreparedRoom[] },
): Promise<BatchResult> {
  const batch = batchOf(input.rooms);
  if (batch.length === 0) return decideBatch(batch, new Map()).result;
  const decided = decideBatch(batch, await readStoredRooms(db, input, batch), input.discovering);
  await storeBatch(db, input, decided);
  return decided.result;
}

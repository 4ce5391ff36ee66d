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

export type { ObservedRoom, PlannedChange };
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
  input: {
    projectId: string;
    runId: string;
    observedAt: Date;
    rooms: ObservedRoom[];
    dryRun: boolean;
    /** No run of the project has succeeded yet: new rooms are `discovered`, not `created`. @default false */
    discovering?: boolean;
  },
): Promise<BatchResult> {
  const latest = latestPerRoom(input.rooms);
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
  if (latest.size === 0) return result;
  const batch: PayloadRoom[] = [];
  for (const observed of latest.values()) {
    batch.push({ observed, prepared: (observed.prepared ??= prepareRoom(input.projectId, observed.room)) });
  }
  const storedRows = await loadStoredRooms(
    db,
    input.projectId,
    roomKeysPayload(
      batch.map(({ observed, prepared }) => ({ id: observed.room.room_id, hash: prepared.hash })),
    ),
  );
  const storedById = new Map<string, StoredRoom & { raw: Record<string, unknown> | null }>();
  for (const row of storedRows) {
    storedById.set(row.room_id, {
      contentHash: row.content_hash,
      deletedAt: row.deleted ? new Date(0) : null,
      updateTime: row.update_ms === null ? null : new Date(Number(row.update_ms)),
      raw: row.raw,
    });
  }
  let voices = 0;
  for (const entry of batch) {
    const { observed, prepared } = entry;
    const stored = storedById.get(observed.room.room_id);
    const kind = decideRoom(prepared, stored, input.discovering);
    if (kind === "unchanged" || kind === "stale") {
      result.unchanged += 1;
      continue;
    }
    const previous = stored?.raw ?? undefined;
    if (previous !== undefined && !isNewRoom(kind)) result.before.set(observed.room.room_id, previous);
    const after = observed.room as Record<string, unknown>;
    const fields = fieldsOfChange(kind, previous, after);
    result[isNewRoom(kind) ? "inserted" : kind] += 1;
    entry.kind = kind;
    entry.fields = fields;
    if (kind === "updated") entry.values = changeValues(kind, previous, after, fields);
    voices += observed.room.voice_config_list?.length ?? 0;
    result.changes.push({
      roomId: observed.room.room_id,
      roomName: observed.room.room_name ?? null,
      change: kind,
      changedFields: fields,
      requestId: observed.requestId,
    });
  }
  if (input.dryRun) return result;
  await storeRoomBatch(db, {
    projectId: input.projectId,
    runId: input.runId,
    observedAt: input.observedAt,
    payload: roomBatchPayload(batch),
  });
  result.roomRowsWritten = result.changes.length;
  result.voiceRowsWritten = result.changes.length > 0 ? voices : 0;
  return result;
}

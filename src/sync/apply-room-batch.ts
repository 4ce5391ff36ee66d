import type { PlannedChange } from "../db/apply-room-batch.js";
import { loadRawItems, loadStoredRooms, storeRoomBatch } from "../db/apply-room-batch.js";
import type { Db } from "../db/database.js";
import { changeValues, type ChangeValues } from "./change-values.js";
import { voiceConfigRows, type RoomRow } from "./room-record.js";
import {
  decideRoom,
  fieldsOfChange,
  isNewRoom,
  latestPerRoom,
  prepareRoom,
  type ObservedRoom,
  type RoomOutcome,
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
 * Applies one batch of observed rooms in one transaction: one read of the stored hashes, the
 * decision per room (room-diff), then multi-row writes for what changed only. An unchanged room
 * costs nothing but its `sync_seen_rooms` row. With `dryRun` it reads and decides, writes nothing.
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
  const work = async (tx: Db): Promise<void> => {
    const stored = await loadStoredRooms(tx, input.projectId, [...latest.keys()]);
    const storedById = new Map(stored.map((row) => [row.roomId, row]));
    const changed: Array<{ observed: ObservedRoom; kind: Exclude<RoomOutcome, "unchanged" | "stale"> }> = [];
    const rows: RoomRow[] = [];
    for (const observed of latest.values()) {
      const prepared = (observed.prepared ??= prepareRoom(input.projectId, observed.room));
      const kind = decideRoom(prepared, storedById.get(observed.room.room_id), input.discovering);
      if (kind === "unchanged" || kind === "stale") {
        result.unchanged += 1;
        continue;
      }
      changed.push({ observed, kind });
      rows.push({
        ...prepared.columns,
        contentHash: prepared.hash,
        firstSeenAt: input.observedAt,
        lastSeenAt: input.observedAt,
        lastChangedAt: input.observedAt,
        deletedAt: null,
        lastRequestId: observed.requestId ?? null,
      });
    }
    const rewrittenIds = changed.filter((c) => !isNewRoom(c.kind)).map((c) => c.observed.room.room_id);
    result.before = await loadRawItems(tx, input.projectId, rewrittenIds);
    const values: ChangeValues[] = [];
    for (const { observed, kind } of changed) {
      const id = observed.room.room_id;
      const previous = result.before.get(id);
      const after = observed.room as Record<string, unknown>;
      const fields = fieldsOfChange(kind, previous, after);
      result[isNewRoom(kind) ? "inserted" : kind] += 1;
      values.push(changeValues(kind, previous, after, fields));
      result.changes.push({
        roomId: id,
        roomName: observed.room.room_name ?? null,
        change: kind,
        changedFields: fields,
        requestId: observed.requestId,
      });
    }
    if (input.dryRun) return;
    const voices = changed.flatMap(({ observed }) => voiceConfigRows(input.projectId, observed.room));
    await storeRoomBatch(tx, {
      projectId: input.projectId,
      runId: input.runId,
      observedAt: input.observedAt,
      rows,
      rewrittenIds,
      voices,
      changes: result.changes,
      values,
      seen: [...latest.values()].map((o) => ({ roomId: o.room.room_id, requestId: o.requestId ?? null })),
    });
    result.roomRowsWritten = rows.length;
    result.voiceRowsWritten = rows.length > 0 ? voices.length : 0;
  };
  if (input.dryRun) await work(db);
  else await db.transaction((tx) => work(tx as unknown as Db));
  return result;
}

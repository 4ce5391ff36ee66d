import { and, eq, inArray, sql } from "drizzle-orm";

import type { SmartChatRoom } from "../metastudio/room-schema.js";
import {
  changedFields,
  contentHash,
  roomColumns,
  voiceConfigRows,
  type RoomRow,
} from "../sync/room-record.js";
import { changeValues, type ChangeValues } from "../sync/change-values.js";
import type { ChangeKind } from "./schema.js";
import { smartChatRoomChanges, smartChatRoomVoiceConfigs, smartChatRooms, syncSeenRooms } from "./schema.js";
import type { Db } from "./database.js";
import { insertJsonRows } from "./insert-json-rows.js";

export interface ObservedRoom {
  room: SmartChatRoom;
  /** `X-Request-Id` of the response that carried it. */
  requestId: string | undefined;
  /**
   * `contentHash(room)` and `roomColumns(...)`, when the caller computed them ahead of the
   * transaction (the writer does, while the previous batch is being written).
   */
  prepared?: { hash: string; columns: ReturnType<typeof roomColumns> };
}

export interface PlannedChange {
  roomId: string;
  roomName: string | null;
  change: ChangeKind;
  changedFields: string[];
  requestId: string | undefined;
}

export interface BatchResult {
  inserted: number;
  updated: number;
  restored: number;
  /** Same content as stored, or an older version than stored (a page that arrived late). */
  unchanged: number;
  roomRowsWritten: number;
  voiceRowsWritten: number;
  changes: PlannedChange[];
}

/** Every upstream column, rewritten from the incoming row when a room changed. */
const REWRITTEN = [
  "roomName",
  "roomDescription",
  "robotId",
  "coverUrl",
  "modelAssetId",
  "modelInfos",
  "voiceConfig",
  "billingMode",
  "reuseResource",
  "concurrency",
  "clientNums",
  "defaultLanguage",
  "exitMuteThreshold",
  "createTime",
  "updateTime",
  "raw",
  "contentHash",
  "lastSeenAt",
  "lastChangedAt",
  "deletedAt",
  "lastRequestId",
] as const satisfies ReadonlyArray<keyof RoomRow>;

const ON_CONFLICT_REWRITE = sql.raw(
  `on conflict ("project_id", "room_id") do update set ${REWRITTEN.map((key) => {
    const name = smartChatRooms[key].name;
    return `"${name}" = excluded."${name}"`;
  }).join(", ")}`,
);

/**
 * Applies one batch of observed rooms in one transaction: one read of the stored hashes, then
 * multi-row writes for what changed only. An unchanged room costs nothing but its `sync_seen_rooms`
 * row; a changed one rewrites its row and voice configs and gets a change row naming the fields.
 * With `dryRun` it reads and diffs but writes nothing.
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
  const { projectId, runId, observedAt } = input;
  // A room can come twice in one batch (overlapping windows, repeated passes): keep the newest.
  const latest = new Map<string, ObservedRoom>();
  for (const observed of input.rooms) {
    const prior = latest.get(observed.room.room_id);
    if (!prior || !isOlder(observed.room, prior.room)) latest.set(observed.room.room_id, observed);
  }
  const ids = [...latest.keys()];
  const result: BatchResult = {
    inserted: 0,
    updated: 0,
    restored: 0,
    unchanged: 0,
    roomRowsWritten: 0,
    voiceRowsWritten: 0,
    changes: [],
  };
  if (ids.length === 0) return result;

  const work = async (tx: Db): Promise<void> => {
    const stored = await tx
      .select({
        roomId: smartChatRooms.roomId,
        contentHash: smartChatRooms.contentHash,
        deletedAt: smartChatRooms.deletedAt,
        updateTime: smartChatRooms.updateTime,
      })
      .from(smartChatRooms)
      .where(and(eq(smartChatRooms.projectId, projectId), inArray(smartChatRooms.roomId, ids)));
    const storedById = new Map(stored.map((row) => [row.roomId, row]));

    const rows: RoomRow[] = [];
    const rewrittenIds: string[] = [];
    const pending: Array<{ observed: ObservedRoom; kind: ChangeKind; hash: string }> = [];
    for (const observed of latest.values()) {
      const { hash, columns } = observed.prepared ?? prepareRoom(projectId, observed.room);
      const prior = storedById.get(observed.room.room_id);
      let kind: ChangeKind;
      if (!prior) kind = input.discovering ? "discovered" : "created";
      else if (prior.contentHash === hash || isStale(columns.updateTime, prior.updateTime)) {
        if (prior.deletedAt === null) {
          result.unchanged += 1;
          continue;
        }
        kind = "restored";
      } else kind = prior.deletedAt === null ? "updated" : "restored";
      pending.push({ observed, kind, hash });
      if (prior) rewrittenIds.push(observed.room.room_id);
      rows.push({
        ...columns,
        contentHash: hash,
        firstSeenAt: observedAt,
        lastSeenAt: observedAt,
        lastChangedAt: observedAt,
        deletedAt: null,
        lastRequestId: observed.requestId ?? null,
      });
    }

    // The old raw items, only for rooms that changed, to name the fields that changed.
    const before = new Map<string, Record<string, unknown>>();
    if (rewrittenIds.length > 0) {
      const olds = await tx
        .select({ roomId: smartChatRooms.roomId, raw: smartChatRooms.raw })
        .from(smartChatRooms)
        .where(and(eq(smartChatRooms.projectId, projectId), inArray(smartChatRooms.roomId, rewrittenIds)));
      for (const old of olds) before.set(old.roomId, old.raw as Record<string, unknown>);
    }
    const values: ChangeValues[] = [];
    for (const { observed, kind } of pending) {
      const after = observed.room as Record<string, unknown>;
      const isNew = kind === "created" || kind === "discovered";
      const previous = before.get(observed.room.room_id);
      const fields = isNew ? Object.keys(after).sort() : changedFields(previous ?? {}, after);
      values.push(changeValues(kind, previous, after, fields));
      result[isNew ? "inserted" : kind === "updated" ? "updated" : "restored"] += 1;
      result.changes.push({
        roomId: observed.room.room_id,
        roomName: observed.room.room_name ?? null,
        change: kind,
        changedFields: fields,
        requestId: observed.requestId,
      });
    }
    if (input.dryRun) return;

    if (rows.length > 0) {
      await insertJsonRows(tx, smartChatRooms, rows, { suffix: ON_CONFLICT_REWRITE });
      result.roomRowsWritten = rows.length;
      if (rewrittenIds.length > 0) {
        await tx
          .delete(smartChatRoomVoiceConfigs)
          .where(
            and(
              eq(smartChatRoomVoiceConfigs.projectId, projectId),
              inArray(smartChatRoomVoiceConfigs.roomId, rewrittenIds),
            ),
          );
      }
      const voices = pending.flatMap(({ observed }) => voiceConfigRows(projectId, observed.room));
      await insertJsonRows(tx, smartChatRoomVoiceConfigs, voices);
      result.voiceRowsWritten = voices.length;
      await insertJsonRows(
        tx,
        smartChatRoomChanges,
        result.changes.map((change, i) => ({
          projectId,
          roomId: change.roomId,
          runId,
          requestId: change.requestId ?? null,
          change: change.change,
          changedFields: change.changedFields,
          before: values[i]!.before,
          after: values[i]!.after,
          observedAt,
        })),
      );
    }
    await insertJsonRows(
      tx,
      syncSeenRooms,
      [...latest.values()].map((o) => ({ runId, roomId: o.room.room_id, requestId: o.requestId ?? null })),
      { suffix: sql`on conflict do nothing` },
    );
  };

  if (input.dryRun) await work(db);
  else await db.transaction((tx) => work(tx as unknown as Db));
  return result;
}

function updateSeconds(room: SmartChatRoom): number | undefined {
  const parsed = room.update_time ? Date.parse(room.update_time) : Number.NaN;
  return Number.isNaN(parsed) ? undefined : parsed;
}

function isOlder(candidate: SmartChatRoom, than: SmartChatRoom): boolean {
  const a = updateSeconds(candidate);
  const b = updateSeconds(than);
  return a !== undefined && b !== undefined && a < b;
}

/**
 * A page fetched before a room was updated can be processed after the page that carried the
 * update (pages run in parallel): an item older than what is stored must not overwrite it.
 */
function isStale(incoming: Date | null, stored: Date | null): boolean {
  return incoming !== null && stored !== null && incoming.getTime() < stored.getTime();
}

/** What `applyRoomBatch` derives from a room before comparing it with the stored one. */
export function prepareRoom(projectId: string, room: SmartChatRoom): NonNullable<ObservedRoom["prepared"]> {
  return { hash: contentHash(room), columns: roomColumns(projectId, room) };
}

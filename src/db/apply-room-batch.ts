import { and, eq, inArray, sql } from "drizzle-orm";

import type { ChangeKind } from "../vocabulary.js";
import type { ChangeValues } from "../sync/change-values.js";
import type { RoomRow, VoiceConfigRow } from "../sync/room-record.js";
import { smartChatRoomChanges, smartChatRoomVoiceConfigs, smartChatRooms, syncSeenRooms } from "./schema.js";
import type { Db } from "./database.js";
import { insertJsonRows } from "./insert-json-rows.js";

export interface PlannedChange {
  roomId: string;
  roomName: string | null;
  change: ChangeKind;
  changedFields: string[];
  requestId: string | undefined;
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

/** What the decision needs of each stored room among `roomIds`. */
export async function loadStoredRooms(db: Db, projectId: string, roomIds: string[]) {
  return db
    .select({
      roomId: smartChatRooms.roomId,
      contentHash: smartChatRooms.contentHash,
      deletedAt: smartChatRooms.deletedAt,
      updateTime: smartChatRooms.updateTime,
    })
    .from(smartChatRooms)
    .where(and(eq(smartChatRooms.projectId, projectId), inArray(smartChatRooms.roomId, roomIds)));
}

/** The stored raw items of `roomIds`: what a change is compared against to name its fields. */
export async function loadRawItems(
  db: Db,
  projectId: string,
  roomIds: string[],
): Promise<Map<string, Record<string, unknown>>> {
  if (roomIds.length === 0) return new Map();
  const rows = await db
    .select({ roomId: smartChatRooms.roomId, raw: smartChatRooms.raw })
    .from(smartChatRooms)
    .where(and(eq(smartChatRooms.projectId, projectId), inArray(smartChatRooms.roomId, roomIds)));
  return new Map(rows.map((row) => [row.roomId, row.raw as Record<string, unknown>]));
}

/**
 * Stores a decided batch: room rows upserted whole, the voice configs of rewritten rooms
 * replaced, one change row each, and every room of the batch marked seen by the run.
 */
export async function storeRoomBatch(
  db: Db,
  batch: {
    projectId: string;
    runId: string;
    observedAt: Date;
    rows: RoomRow[];
    /** Rooms that existed before: their voice configs are replaced. */
    rewrittenIds: string[];
    voices: VoiceConfigRow[];
    changes: PlannedChange[];
    /** `before`/`after` of each change, in the order of `changes`. */
    values: ChangeValues[];
    seen: Array<{ roomId: string; requestId: string | null }>;
  },
): Promise<void> {
  const { projectId, runId, observedAt } = batch;
  if (batch.rows.length > 0) {
    await insertJsonRows(db, smartChatRooms, batch.rows, { suffix: ON_CONFLICT_REWRITE });
    if (batch.rewrittenIds.length > 0) {
      await db
        .delete(smartChatRoomVoiceConfigs)
        .where(
          and(
            eq(smartChatRoomVoiceConfigs.projectId, projectId),
            inArray(smartChatRoomVoiceConfigs.roomId, batch.rewrittenIds),
          ),
        );
    }
    await insertJsonRows(db, smartChatRoomVoiceConfigs, batch.voices);
    await insertJsonRows(
      db,
      smartChatRoomChanges,
      batch.changes.map((change, i) => ({
        projectId,
        roomId: change.roomId,
        runId,
        requestId: change.requestId ?? null,
        change: change.change,
        changedFields: change.changedFields,
        before: batch.values[i]!.before,
        after: batch.values[i]!.after,
        observedAt,
      })),
    );
  }
  await insertJsonRows(
    db,
    syncSeenRooms,
    batch.seen.map((seen) => ({ runId, ...seen })),
    { suffix: sql`on conflict do nothing` },
  );
}

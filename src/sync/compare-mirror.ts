import { asc, eq, sql } from "drizzle-orm";

import type { Db } from "../db/database.js";
import { queryRows } from "../db/query-rows.js";
import { smartChatRoomVoiceConfigs, smartChatRooms } from "../db/schema.js";
import { indexedText } from "../metastudio/storable-item.js";
import { canonicalJson } from "./canonical-json.js";

export type MirrorDifferenceKind =
  /** Upstream has it, the mirror has no row. */
  | "missing"
  /** Upstream has it, the mirror's row is marked deleted. */
  | "wrongly deleted"
  /** Gone upstream, still live in the mirror. */
  | "not deleted"
  /** A typed column or the raw item differs. */
  | "fields"
  /** `voice_config_list` rows differ in content or order. */
  | "voices"
  /** More than one `created` change recorded for one room: a write was applied twice. */
  | "duplicated";

export interface MirrorDifference {
  kind: MirrorDifferenceKind;
  roomId: string;
  detail: string;
}

const orNull = (value: unknown) => (value === undefined ? null : value);

function timeOrNull(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** What each typed column must hold for an upstream item, keyed like the Drizzle row. */
function expectedColumns(item: Record<string, unknown>): Record<string, unknown> {
  const model = item.model_infos as Record<string, unknown> | undefined;
  return {
    roomName: indexedText(item.room_name as string | null | undefined),
    roomDescription: orNull(item.room_description),
    robotId: orNull(item.robot_id),
    coverUrl: orNull(item.cover_url),
    modelAssetId: indexedText(model?.model_asset_id as string | null | undefined),
    modelInfos: orNull(item.model_infos),
    voiceConfig: orNull(item.voice_config),
    billingMode: orNull(item.billing_mode),
    reuseResource: orNull(item.reuse_resource),
    concurrency: orNull(item.concurrency),
    clientNums: orNull(item.client_nums),
    defaultLanguage: orNull(item.default_language),
    exitMuteThreshold: orNull(item.exit_mute_threshold),
    createTime: timeOrNull(item.create_time),
    updateTime: timeOrNull(item.update_time),
    raw: item,
  };
}

type RoomRow = typeof smartChatRooms.$inferSelect;
type VoiceRow = typeof smartChatRoomVoiceConfigs.$inferSelect;

function storedColumns(row: RoomRow): Record<string, unknown> {
  return {
    roomName: row.roomName,
    roomDescription: row.roomDescription,
    robotId: row.robotId,
    coverUrl: row.coverUrl,
    modelAssetId: row.modelAssetId,
    modelInfos: row.modelInfos,
    voiceConfig: row.voiceConfig,
    billingMode: row.billingMode,
    reuseResource: row.reuseResource,
    concurrency: row.concurrency,
    clientNums: row.clientNums,
    defaultLanguage: row.defaultLanguage,
    exitMuteThreshold: row.exitMuteThreshold,
    createTime: row.createTime?.toISOString() ?? null,
    updateTime: row.updateTime?.toISOString() ?? null,
    raw: row.raw,
  };
}

const voiceTuple = (v: Record<string, unknown>, position: number) =>
  canonicalJson([
    position,
    orNull(v.voice_asset_id),
    orNull(v.speed),
    orNull(v.pitch),
    orNull(v.volume),
    orNull(v.provider),
    orNull(v.language),
    orNull(v.language_desc),
  ]);

const storedVoiceTuple = (v: VoiceRow) =>
  canonicalJson([
    v.position,
    v.voiceAssetId,
    v.speed,
    v.pitch,
    v.volume,
    v.provider,
    v.language,
    v.languageDesc,
  ]);

/**
 * Every way the mirror of one project differs from the upstream's rooms (as the API returns
 * them): the set of live rooms, every typed column, the raw item, the voice configs in order,
 * and rooms recorded as created more than once. Empty means an exact mirror. Shared by the
 * tests and `npm run drill`, so both hold the mirror to the same definition of "exact".
 */
export async function compareMirror(
  db: Db,
  projectId: string,
  upstream: Array<Record<string, unknown>>,
): Promise<MirrorDifference[]> {
  const { rows, voicesByRoom } = await loadMirror(db, projectId);
  const byId = new Map(rows.map((row) => [row.roomId, row]));
  const differences: MirrorDifference[] = [];
  const upstreamIds = new Set<string>();
  for (const item of upstream) {
    const roomId = String(item.room_id);
    upstreamIds.add(roomId);
    differences.push(...roomDifferences(roomId, item, byId.get(roomId), voicesByRoom.get(roomId) ?? []));
  }
  for (const row of rows) {
    if (row.deletedAt === null && !upstreamIds.has(row.roomId)) {
      differences.push({
        kind: "not deleted",
        roomId: row.roomId,
        detail: "live in the mirror, gone upstream",
      });
    }
  }
  differences.push(...(await duplicatedCreations(db, projectId)));
  return differences;
}

/** The project's room rows, and their voice configs by room, in position order. */
async function loadMirror(db: Db, projectId: string) {
  const rows = await db.select().from(smartChatRooms).where(eq(smartChatRooms.projectId, projectId));
  const voices = await db
    .select()
    .from(smartChatRoomVoiceConfigs)
    .where(eq(smartChatRoomVoiceConfigs.projectId, projectId))
    .orderBy(asc(smartChatRoomVoiceConfigs.roomId), asc(smartChatRoomVoiceConfigs.position));
  const voicesByRoom = new Map<string, VoiceRow[]>();
  for (const voice of voices) {
    const list = voicesByRoom.get(voice.roomId) ?? [];
    list.push(voice);
    voicesByRoom.set(voice.roomId, list);
  }
  return { rows, voicesByRoom };
}

/** How one room the upstream holds differs from its row and voice configs in the mirror. */
function roomDifferences(
  roomId: string,
  item: Record<string, unknown>,
  row: RoomRow | undefined,
  voices: VoiceRow[],
): MirrorDifference[] {
  if (!row) return [{ kind: "missing", roomId, detail: "no row in the mirror" }];
  const differences: MirrorDifference[] = [];
  if (row.deletedAt !== null) {
    differences.push({
      kind: "wrongly deleted",
      roomId,
      detail: `marked deleted at ${row.deletedAt.toISOString()} but live upstream`,
    });
  }
  const expected = expectedColumns(item);
  const stored = storedColumns(row);
  const fields = Object.keys(expected).filter(
    (key) => canonicalJson(expected[key]) !== canonicalJson(stored[key]),
  );
  if (fields.length > 0) differences.push({ kind: "fields", roomId, detail: fields.join(", ") });
  const expectedVoices = ((item.voice_config_list as Array<Record<string, unknown>> | undefined) ?? []).map(
    voiceTuple,
  );
  const storedVoices = voices.map(storedVoiceTuple);
  if (canonicalJson(expectedVoices) !== canonicalJson(storedVoices)) {
    differences.push({
      kind: "voices",
      roomId,
      detail: `${storedVoices.length} stored, ${expectedVoices.length} upstream, or in another order`,
    });
  }
  return differences;
}

/** Rooms recorded as created (or discovered) more than once: a write applied twice. */
async function duplicatedCreations(db: Db, projectId: string): Promise<MirrorDifference[]> {
  const duplicated = await queryRows<{ room_id: string; n: number }>(
    db,
    sql`select room_id, count(*)::int as n from smart_chat_room_changes
         where project_id = ${projectId} and change in ('created', 'discovered')
         group by room_id having count(*) > 1 order by room_id`,
  );
  return duplicated.map(({ room_id, n }) => ({
    kind: "duplicated",
    roomId: room_id,
    detail: `recorded as created ${n} times`,
  }));
}

/** "3 fields, 1 voices (e.g. fields 0b1c…: room_name)": counts by kind and a few examples. */
export function describeDifferences(differences: MirrorDifference[], examples = 3): string {
  if (differences.length === 0) return "exact";
  const counts = new Map<MirrorDifferenceKind, number>();
  for (const d of differences) counts.set(d.kind, (counts.get(d.kind) ?? 0) + 1);
  const summary = [...counts].map(([kind, n]) => `${n} ${kind}`).join(", ");
  const shown = differences.slice(0, examples).map((d) => `${d.kind} ${d.roomId}: ${d.detail}`);
  return `${summary} (e.g. ${shown.join("; ")})`;
}

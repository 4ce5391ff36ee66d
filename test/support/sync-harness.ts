import { asc, eq } from "drizzle-orm";
import { expect } from "vitest";

import type { MetaStudioConfig } from "../../src/config/config.js";
import type { Database } from "../../src/db/database.js";
import { smartChatRoomVoiceConfigs, smartChatRooms } from "../../src/db/schema.js";
import { createLogger, type Logger } from "../../src/logger.js";
import { MetaStudioClient } from "../../src/metastudio/metastudio-client.js";
import { runSync, type SyncJob, type SyncSettings } from "../../src/sync/run-sync.js";
import { startSimulator, type Simulator, type SimulatorOptions } from "../../src/simulator/simulator.js";

export const TOKEN = "harness-token";

export interface Harness {
  sim: Simulator;
  client: MetaStudioClient;
  logger: Logger;
  settings: SyncSettings;
  run: (
    projectId: string,
    job?: Partial<SyncJob>,
    settings?: Partial<SyncSettings>,
  ) => ReturnType<typeof runSync>;
  close: () => Promise<void>;
}

/** A simulator over real HTTP and a client for it, syncing into `database`. */
export async function startHarness(
  database: Database,
  options: Partial<SimulatorOptions> & { projectIds: string[]; client?: Partial<MetaStudioConfig> },
): Promise<Harness> {
  const sim = await startSimulator({
    credentials: { accessKeys: {}, tokens: [TOKEN], iamUsers: [] },
    ...options,
  });
  const logger = createLogger("silent");
  const client = new MetaStudioClient({
    config: {
      endpoint: sim.url,
      projectIds: options.projectIds,
      auth: { kind: "token", token: TOKEN },
      appUserId: undefined,
      rateLimitPerSecond: 10_000,
      requestTimeoutMs: 10_000,
      maxAttempts: 8,
      pageConcurrency: 4,
      ...options.client,
    },
    logger,
    baseDelayMs: 2,
    maxDelayMs: 20,
  });
  const settings: SyncSettings = { lookbackSeconds: 3600, massDeleteThreshold: 0.2, pageConcurrency: 4 };
  return {
    sim,
    client,
    logger,
    settings,
    run: (projectId, job = {}, extra = {}) =>
      runSync(
        { database, client, logger, settings: { ...settings, ...extra } },
        { projectId, mode: "full", trigger: "cli", ...job },
      ),
    close: async () => {
      await client.close();
      await sim.close();
    },
  };
}

/** The mirror's live rooms of a project, keyed by room ID. */
export async function liveRooms(database: Database, projectId: string) {
  const rows = await database.db.select().from(smartChatRooms).where(eq(smartChatRooms.projectId, projectId));
  return new Map(rows.filter((r) => r.deletedAt === null).map((r) => [r.roomId, r]));
}

const orNull = (value: unknown) => (value === undefined ? null : value);
const timeOrNull = (value: unknown) => (typeof value === "string" ? new Date(value).toISOString() : null);

/**
 * Asserts the mirror holds exactly the upstream's rooms: the same set of live rooms, every
 * typed column, the raw item as received, and the voice configs in order.
 */
export async function expectExactMirror(
  database: Database,
  sim: Simulator,
  projectId: string,
): Promise<void> {
  const upstream = sim.rooms(projectId);
  const mirror = await liveRooms(database, projectId);
  expect([...mirror.keys()].sort()).toEqual(upstream.map((r) => String(r.room_id)).sort());
  const voices = await database.db
    .select()
    .from(smartChatRoomVoiceConfigs)
    .where(eq(smartChatRoomVoiceConfigs.projectId, projectId))
    .orderBy(asc(smartChatRoomVoiceConfigs.roomId), asc(smartChatRoomVoiceConfigs.position));
  const voicesByRoom = new Map<string, typeof voices>();
  for (const voice of voices)
    voicesByRoom.set(voice.roomId, [...(voicesByRoom.get(voice.roomId) ?? []), voice]);
  for (const item of upstream) {
    const row = mirror.get(String(item.room_id))!;
    const model = item.model_infos as Record<string, unknown> | undefined;
    expect(row.raw).toEqual(item);
    expect({
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
    }).toEqual({
      roomName: orNull(item.room_name),
      roomDescription: orNull(item.room_description),
      robotId: orNull(item.robot_id),
      coverUrl: orNull(item.cover_url),
      modelAssetId: orNull(model?.model_asset_id),
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
    });
    const expectedVoices = (item.voice_config_list as Array<Record<string, unknown>> | undefined) ?? [];
    const stored = voicesByRoom.get(row.roomId) ?? [];
    expect(
      stored.map((v) => [
        v.position,
        v.voiceAssetId,
        v.speed,
        v.pitch,
        v.volume,
        v.provider,
        v.language,
        v.languageDesc,
      ]),
    ).toEqual(
      expectedVoices.map((v, i) => [
        i,
        orNull(v.voice_asset_id),
        orNull(v.speed),
        orNull(v.pitch),
        orNull(v.volume),
        orNull(v.provider),
        orNull(v.language),
        orNull(v.language_desc),
      ]),
    );
  }
}

import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  pgView,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";

import { CHANGE_KINDS, FILTER_FIELDS, RUN_MODES, RUN_STATUSES, RUN_TRIGGERS } from "../vocabulary.js";

// The vocabulary lives below every layer; re-exported so code that names it from here compiles.
export { CHANGE_KINDS, FILTER_FIELDS, RUN_MODES, RUN_STATUSES, RUN_TRIGGERS };
export type { ChangeKind, FilterField, RunMode, RunStatus, RunTrigger } from "../vocabulary.js";

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** Fresh builders each call: a table and a view cannot share column builders. */
const roomColumnBuilders = () => ({
  projectId: text("project_id").notNull(),
  roomId: text("room_id").notNull(),
  roomName: text("room_name"),
  roomDescription: text("room_description"),
  robotId: text("robot_id"),
  coverUrl: text("cover_url"),
  modelAssetId: text("model_asset_id"),
  modelInfos: jsonb("model_infos"),
  voiceConfig: jsonb("voice_config"),
  billingMode: text("billing_mode"),
  reuseResource: boolean("reuse_resource"),
  concurrency: integer("concurrency"),
  clientNums: integer("client_nums"),
  defaultLanguage: text("default_language"),
  exitMuteThreshold: integer("exit_mute_threshold"),
  createTime: tstz("create_time"),
  updateTime: tstz("update_time"),
  raw: jsonb("raw").notNull(),
  /** sha256 of the canonical raw item: an unchanged room is recognised without comparing columns. */
  contentHash: text("content_hash").notNull(),
  firstSeenAt: tstz("first_seen_at").notNull(),
  lastSeenAt: tstz("last_seen_at").notNull(),
  lastChangedAt: tstz("last_changed_at").notNull(),
  deletedAt: tstz("deleted_at"),
  lastRequestId: text("last_request_id"),
});

/**
 * One row per room ever seen; rows are never removed, deletions are soft (`deleted_at`).
 * Indexes (0004_cheaper_rows dropped the rest, which no query of the engine or the README used):
 * the primary key (the writer's upsert and read); `(project_id, update_time)` for the filter
 * probe's newest-updated room; `model_asset_id` and the partial `deleted_at` for the README's
 * example queries (test/db/example-queries.test.ts checks their plans).
 */
export const smartChatRooms = pgTable(
  "smart_chat_rooms",
  {
    ...roomColumnBuilders(),
    /**
     * The run that last wrote the row (0004_cheaper_rows): a write is that run's sighting of the
     * room, so a written room needs no `sync_seen_rooms` row. Not in the views, which predate it.
     */
    writtenByRun: uuid("written_by_run"),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.roomId] }),
    index("smart_chat_rooms_update_time_idx").on(t.projectId, t.updateTime),
    index("smart_chat_rooms_model_asset_idx").on(t.modelAssetId),
    index("smart_chat_rooms_deleted_idx")
      .on(t.deletedAt)
      .where(sql`${t.deletedAt} is not null`),
  ],
);

const voiceColumnBuilders = () => ({
  projectId: text("project_id").notNull(),
  roomId: text("room_id").notNull(),
  position: integer("position").notNull(),
  voiceAssetId: text("voice_asset_id"),
  speed: integer("speed"),
  pitch: integer("pitch"),
  volume: integer("volume"),
  provider: text("provider"),
  language: text("language"),
  languageDesc: text("language_desc"),
});

/**
 * `voice_config_list`, one row per entry in upstream order. Rewritten only when the room changes,
 * in the same statement as its room. No foreign key since 0004_cheaper_rows: only that
 * statement writes these rows and room rows are never removed, so the check (a lookup per
 * voice row, and a plan cached per connection) bought nothing. `provider` is indexed for the
 * README's example query; the primary key serves the writer and one room's voices.
 */
export const smartChatRoomVoiceConfigs = pgTable(
  "smart_chat_room_voice_configs",
  voiceColumnBuilders(),
  (t) => [
    primaryKey({ columns: [t.projectId, t.roomId, t.position] }),
    index("smart_chat_room_voice_configs_provider_idx").on(t.provider),
  ],
);

/** Rooms that exist upstream now (`deleted_at is null`); created by migration 0001. */
export const smartChatRoomsLive = pgView("smart_chat_rooms_live", roomColumnBuilders()).existing();

/** Voice configs of live rooms only; created by migration 0001. */
export const smartChatRoomVoiceConfigsLive = pgView(
  "smart_chat_room_voice_configs_live",
  voiceColumnBuilders(),
).existing();

/** A transaction ID (`xid8`), read as its decimal string: 64 bits do not fit a JS number. */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => "xid8" });

/** One row per observed change: the audit trail of what changed upstream and when we saw it. */
export const smartChatRoomChanges = pgTable(
  "smart_chat_room_changes",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    projectId: text("project_id").notNull(),
    roomId: text("room_id").notNull(),
    runId: uuid("run_id").notNull(),
    requestId: text("request_id"),
    change: text("change", { enum: CHANGE_KINDS }).notNull(),
    changedFields: text("changed_fields").array().notNull(),
    /** `updated`: previous values of `changedFields`; `deleted`: the last item seen. */
    before: jsonb("before").$type<Record<string, unknown>>(),
    /** `updated`: new values of `changedFields`; `discovered`/`created`/`restored`: the item. */
    after: jsonb("after").$type<Record<string, unknown>>(),
    observedAt: tstz("observed_at").notNull(),
    /** The writing transaction (`pg_current_xact_id()`), how the change feed orders commits. */
    xid: xid8("xid")
      .notNull()
      .default(sql`pg_current_xact_id()`),
  },
  (t) => [
    index("smart_chat_room_changes_room_idx").on(t.projectId, t.roomId, t.observedAt),
    index("smart_chat_room_changes_observed_idx").on(t.projectId, t.observedAt),
    index("smart_chat_room_changes_run_idx").on(t.runId),
    index("smart_chat_room_changes_observed_at_idx").on(t.observedAt),
    index("smart_chat_room_changes_feed_idx").on(t.xid, t.id),
    check(
      "smart_chat_room_changes_change_check",
      sql`${t.change} in ('discovered','created','updated','deleted','restored')`,
    ),
  ],
);

export const syncRuns = pgTable(
  "sync_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: text("project_id").notNull(),
    mode: text("mode", { enum: RUN_MODES }).notNull(),
    trigger: text("trigger", { enum: RUN_TRIGGERS }).notNull(),
    status: text("status", { enum: RUN_STATUSES }).notNull(),
    startedAt: tstz("started_at").notNull(),
    finishedAt: tstz("finished_at"),
    windowStart: tstz("window_start"),
    windowEnd: tstz("window_end"),
    requests: integer("requests").notNull().default(0),
    roomsSeen: integer("rooms_seen").notNull().default(0),
    roomsInserted: integer("rooms_inserted").notNull().default(0),
    roomsUpdated: integer("rooms_updated").notNull().default(0),
    roomsUnchanged: integer("rooms_unchanged").notNull().default(0),
    roomsDeleted: integer("rooms_deleted").notNull().default(0),
    /** Items the upstream sent that could not be mirrored (no room_id, wrong types); see the log. */
    itemsInvalid: integer("items_invalid").notNull().default(0),
    /** The failed full run whose completed windows this run took over instead of starting again. */
    resumedFrom: uuid("resumed_from"),
    error: text("error"),
  },
  (t) => [
    index("sync_runs_project_started_idx").on(t.projectId, t.startedAt),
    index("sync_runs_running_idx")
      .on(t.projectId)
      .where(sql`${t.status} = 'running'`),
    // 0002_accounts: housekeeping finds finished runs by age.
    index("sync_runs_finished_idx")
      .on(t.finishedAt)
      .where(sql`${t.status} <> 'running'`),
  ],
);

/** One row per upstream HTTP attempt, retries and failures included. */
export const syncRequests = pgTable(
  "sync_requests",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    runId: uuid("run_id").notNull(),
    projectId: text("project_id").notNull(),
    requestId: text("request_id"),
    status: integer("status"),
    errorCode: text("error_code"),
    offset: integer("offset").notNull(),
    limit: integer("limit").notNull(),
    startTime: tstz("start_time"),
    endTime: tstz("end_time"),
    items: integer("items"),
    attempt: integer("attempt").notNull(),
    durationMs: integer("duration_ms").notNull(),
    requestedAt: tstz("requested_at").notNull(),
  },
  (t) => [
    index("sync_requests_run_idx").on(t.runId),
    index("sync_requests_project_idx").on(t.projectId, t.requestedAt),
    index("sync_requests_request_id_idx").on(t.requestId),
    // 0002_accounts: housekeeping deletes old requests by age.
    index("sync_requests_requested_at_idx").on(t.requestedAt),
  ],
);

/** What the engine keeps between runs of one project. */
export const syncState = pgTable("sync_state", {
  projectId: text("project_id").primaryKey(),
  /** Everything up to here was mirrored by a successful run; incremental runs start before it. */
  watermark: tstz("watermark"),
  /** What `start_time`/`end_time` were observed to filter on; null until the data has told. */
  filterField: text("filter_field", { enum: FILTER_FIELDS }),
  lastRunId: uuid("last_run_id"),
  lastSuccessAt: tstz("last_success_at"),
  lastFullSuccessAt: tstz("last_full_success_at"),
  updatedAt: tstz("updated_at").notNull(),
});

/** Windows a run has read completely; a failed full run's successor skips them. */
export const syncRunWindows = pgTable(
  "sync_run_windows",
  {
    runId: uuid("run_id").notNull(),
    windowStart: tstz("window_start").notNull(),
    windowEnd: tstz("window_end").notNull(),
    rooms: integer("rooms").notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.windowStart, t.windowEnd] })],
);

/**
 * Room IDs a run has seen without writing them, with the request that carried each: how a full
 * run finds deletions without holding every ID in memory, and how `last_seen_at` is refreshed in
 * one statement. One row per batch (0005_seen_batches), not per room: a quiet full run of 100,000
 * rooms writes a few hundred rows, not 100,000 rows and their index entries, then deletes them.
 * A room may appear in more than one row; readers take the IDs as a set. Rows are removed when
 * the run ends.
 */
export const syncSeenBatches = pgTable(
  "sync_seen_batches",
  {
    runId: uuid("run_id").notNull(),
    roomIds: text("room_ids").array().notNull(),
    requestIds: text("request_ids").array().notNull(),
  },
  (t) => [
    index("sync_seen_batches_run_idx").on(t.runId),
    check("sync_seen_batches_aligned", sql`cardinality(${t.roomIds}) = cardinality(${t.requestIds})`),
  ],
);

/** `sync_seen_batches` one row per room, as the table of that name was before 0005_seen_batches. */
export const syncSeenRooms = pgView("sync_seen_rooms", {
  runId: uuid("run_id").notNull(),
  roomId: text("room_id").notNull(),
  requestId: text("request_id"),
}).existing();

/** Row types for TypeScript consumers of the mirror (`import type { SmartChatRoomRow } from "metastudio-sync"`). */
export type SmartChatRoomRow = typeof smartChatRooms.$inferSelect;
export type SmartChatRoomVoiceConfigRow = typeof smartChatRoomVoiceConfigs.$inferSelect;
export type SmartChatRoomChangeRow = typeof smartChatRoomChanges.$inferSelect;
export type SyncRunRow = typeof syncRuns.$inferSelect;
export type SyncRequestRow = typeof syncRequests.$inferSelect;

/**
 * The projects this deployment is configured for, and their account and endpoint (migration
 * 0002_accounts). Upserted when a worker or `sync` starts; a project dropped from the
 * configuration keeps its row with `retired_at` set.
 */
export const syncProjects = pgTable(
  "sync_projects",
  {
    projectId: text("project_id").primaryKey(),
    account: text("account").notNull(),
    endpoint: text("endpoint"),
    firstConfiguredAt: tstz("first_configured_at").notNull().defaultNow(),
    lastConfiguredAt: tstz("last_configured_at").notNull().defaultNow(),
    retiredAt: tstz("retired_at"),
  },
  (t) => [index("sync_projects_account_idx").on(t.account)],
);

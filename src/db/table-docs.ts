/**
 * What every table, view, function and interface column of the mirror means: the ONE source of
 * both the database's `COMMENT ON` statements (rendered into the latest migration with comments, migrations/0005_seen_batches.sql)
 * and the README's table descriptions. `npm run docs:tables` renders both; a test fails when
 * either, or the comments in a migrated database, differ from this file.
 */
export interface ObjectDoc {
  kind: "table" | "view" | "function" | "type";
  /** The table or view name; for a function its signature, e.g. `f(text, timestamptz)`. */
  name: string;
  /** One paragraph; the README prints it under the heading, the database keeps it as the comment. */
  description: string;
  /** Column name and meaning, in table order. */
  columns?: ReadonlyArray<readonly [string, string]>;
}

const roomColumns: ReadonlyArray<readonly [string, string]> = [
  ["project_id", "The MetaStudio project the room belongs to."],
  ["room_id", "The room's ID upstream (`room_id`)."],
  ["room_name", "`room_name` as received."],
  ["room_description", "`room_description` as received."],
  ["robot_id", "`robot_id` as received."],
  ["cover_url", "`cover_url` as received."],
  ["model_asset_id", "`model_infos.model_asset_id`, extracted for indexing."],
  ["model_infos", "`model_infos` as received (jsonb)."],
  ["voice_config", "The deprecated `voice_config` object as received (jsonb)."],
  ["billing_mode", "`billing_mode` as received."],
  ["reuse_resource", "`reuse_resource` as received."],
  ["concurrency", "`concurrency`; values outside the documented range are kept, with a warning in the log."],
  ["client_nums", "`client_nums`; values outside the documented range are kept, with a warning in the log."],
  ["default_language", "`default_language` as received."],
  ["exit_mute_threshold", "`exit_mute_threshold`; out-of-range values are kept, with a warning in the log."],
  ["create_time", "`create_time` upstream (timestamptz)."],
  ["update_time", "`update_time` upstream (timestamptz)."],
  ["raw", "The item exactly as received (jsonb), fields unknown to this version included."],
  ["content_hash", "Hash of the canonical `raw`: how an unchanged room is recognised without a write."],
  ["first_seen_at", "When this mirror first saw the room."],
  [
    "last_seen_at",
    "When a run last saw the room; refreshed when the room changes or the value is a day old.",
  ],
  ["last_changed_at", "When this mirror last recorded a change to the room (deletion included)."],
  ["deleted_at", "Null while the room exists upstream; set by a complete full run that no longer saw it."],
  ["last_request_id", "The `X-Request-Id` of the response that last carried the room."],
];

/** Columns of the table only: the views were created before them and keep their column list. */
const roomTableColumns: ReadonlyArray<readonly [string, string]> = [
  ...roomColumns,
  [
    "written_by_run",
    "Engine state: the run that last wrote the row. The write counts as that run's sighting, so the room needs no sync_seen_rooms row.",
  ],
];

const voiceColumns: ReadonlyArray<readonly [string, string]> = [
  ["project_id", "The room's project."],
  ["room_id", "The room, in `smart_chat_rooms` (written with it, so no foreign key is checked)."],
  ["position", "Index in `voice_config_list`, from 0, in upstream order."],
  ["voice_asset_id", "`voice_asset_id` of the entry."],
  ["speed", "`speed` of the entry."],
  ["pitch", "`pitch` of the entry."],
  ["volume", "`volume` of the entry."],
  ["provider", "`provider` of the entry."],
  ["language", "`language` of the entry."],
  ["language_desc", "`language_desc` of the entry."],
];

export const TABLE_DOCS: readonly ObjectDoc[] = [
  {
    kind: "table",
    name: "smart_chat_rooms",
    description:
      "One row per room ever seen, primary key (project_id, room_id). Rows are never removed: a room gone upstream gets deleted_at.",
    columns: roomTableColumns,
  },
  {
    kind: "table",
    name: "smart_chat_room_voice_configs",
    description:
      "One row per entry of a room's voice_config_list, primary key (project_id, room_id, position). Rewritten only when the room changes; deleted rooms keep theirs (see smart_chat_room_voice_configs_live).",
    columns: voiceColumns,
  },
  {
    kind: "table",
    name: "smart_chat_room_changes",
    description:
      "One row per observed change to a room, never updated or removed: the mirror's history. Read it in commit order with `metastudio-sync changes`.",
    columns: [
      ["id", "Sequence number; unique, but not commit order across concurrent runs (see xid)."],
      ["project_id", "The room's project."],
      ["room_id", "The room."],
      ["run_id", "The sync_runs row of the run that observed the change."],
      ["request_id", "`X-Request-Id` of the response that showed the change; null for deletions."],
      [
        "change",
        "discovered (found by a project's first complete run: it existed before mirroring began), created, updated, deleted or restored.",
      ],
      [
        "changed_fields",
        "The top-level upstream fields that differ (text[]); every field for discovered and created.",
      ],
      [
        "before",
        "jsonb. updated: the previous values of exactly changed_fields (a field missing here did not exist); deleted: the last item seen; otherwise null.",
      ],
      [
        "after",
        "jsonb. updated: the new values of exactly changed_fields (a field missing here was removed); discovered, created, restored: the item.",
      ],
      ["observed_at", "When the mirror observed the change (the time of the batch that wrote it)."],
      [
        "xid",
        "The writing transaction's ID (xid8): the change feed orders by (xid, id) and hands out a row only once no transaction that could still commit before it is running.",
      ],
    ],
  },
  {
    kind: "table",
    name: "sync_runs",
    description: "One row per sync run of one project.",
    columns: [
      ["id", "Run ID (uuid)."],
      ["project_id", "The project synced."],
      ["mode", "incremental or full."],
      ["trigger", "schedule, manual or cli."],
      ["status", "running, succeeded or failed."],
      ["started_at", "When the run started."],
      ["finished_at", "When it ended; null while running."],
      ["window_start", "Start of the time range the run read; null for everything."],
      ["window_end", "End of the time range the run read (the settled point)."],
      ["requests", "Upstream HTTP requests made, retries included."],
      ["rooms_seen", "Distinct rooms the run saw."],
      ["rooms_inserted", "Rooms new to the mirror (discovered or created)."],
      ["rooms_updated", "Rooms whose content changed, restored rooms included."],
      ["rooms_unchanged", "Rooms seen with the content already stored."],
      ["rooms_deleted", "Rooms marked deleted by the run."],
      ["items_invalid", "Items the upstream sent that could not be mirrored (see the log)."],
      ["resumed_from", "The failed full run whose completed windows this run took over."],
      ["error", "Why the run failed; null otherwise."],
    ],
  },
  {
    kind: "table",
    name: "sync_requests",
    description: "One row per upstream HTTP request, failed ones and retries included.",
    columns: [
      ["id", "Sequence number."],
      ["run_id", "The run that made the request."],
      ["project_id", "The project queried."],
      ["request_id", "`X-Request-Id` of the response; null only when no response came."],
      ["status", "HTTP status; null when no response came."],
      ["error_code", "MetaStudio error code of a failed request."],
      ["offset", "The offset parameter."],
      ["limit", "The limit parameter."],
      ["start_time", "The start_time parameter, when sent."],
      ["end_time", "The end_time parameter, when sent."],
      ["items", "Items in the response."],
      ["attempt", "1 for the first try, then each retry."],
      ["duration_ms", "How long the request took."],
      ["requested_at", "When it was sent."],
    ],
  },
  {
    kind: "table",
    name: "sync_state",
    description: "Engine state per project: watermark, observed filter behaviour, last run and successes.",
  },
  {
    kind: "table",
    name: "sync_run_windows",
    description:
      "Engine state: time windows a full run has read completely, so a failed run's successor skips them.",
  },
  {
    kind: "table",
    name: "sync_seen_batches",
    description:
      "Engine state: room IDs a run has seen without writing them (unchanged, or refused), one row per batch with the IDs and their request IDs as arrays, for finding deletions; cleared when the run ends. Read it through sync_seen_rooms.",
  },
  {
    kind: "view",
    name: "sync_seen_rooms",
    description:
      "Engine state: sync_seen_batches unnested, one row per room (run_id, room_id, request_id): the rooms a run has seen without writing them.",
  },
  {
    kind: "view",
    name: "smart_chat_rooms_live",
    description: "The rooms that exist upstream now: smart_chat_rooms where deleted_at is null.",
  },
  {
    kind: "view",
    name: "smart_chat_room_voice_configs_live",
    description: "The voice configs of live rooms only (deleted rooms keep their rows in the table).",
  },
  {
    kind: "function",
    name: "smart_chat_rooms_as_of(text, timestamptz)",
    description:
      "smart_chat_rooms_as_of(project_id, at): the project's rooms live at `at`, each as the mirror knew it then (upstream columns and raw), rebuilt from the current rows and the change log.",
  },
  {
    kind: "type",
    name: "smart_chat_room_as_of",
    description:
      "A row of smart_chat_rooms_as_of: the upstream columns and raw of smart_chat_rooms as of the time asked, and first_seen_at.",
  },
  {
    kind: "table",
    name: "sync_projects",
    description:
      "One row per project this deployment has been configured for: its account and endpoint, so SQL can join runs and rooms to accounts and regions. Rows of projects no longer configured stay, with retired_at set.",
    columns: [
      ["project_id", "MetaStudio project ID, as in smart_chat_rooms.project_id and sync_runs.project_id."],
      [
        "account",
        "The account name from METASTUDIO_CONFIG, or default for the single account of the environment variables.",
      ],
      [
        "endpoint",
        "The MetaStudio endpoint (region) the project is read from; null for projects recorded before 0002_accounts until their next start.",
      ],
      ["first_configured_at", "When a worker or sync first ran with this project configured."],
      ["last_configured_at", "When a worker or sync last started with this project configured."],
      [
        "retired_at",
        "When a worker started without this project configured (its schedules were removed); null while configured.",
      ],
    ],
  },
  {
    kind: "function",
    name: "smart_chat_room_changes_notify()",
    description:
      "Trigger function: each insert into smart_chat_room_changes sends NOTIFY smart_chat_room_changes (payload: the comma-separated project IDs), delivered when the transaction commits.",
  },
];

/** The interface tables whose every column must carry a comment. */
export const INTERFACE_TABLES = TABLE_DOCS.filter((doc) => doc.columns !== undefined).map((doc) => doc.name);

-- Seen rooms one row per batch (issue 14). A quiet full run wrote a sync_seen_rooms row per
-- unchanged room and deleted it again when it ended: 100,000 row writes, index entries and
-- deletes per 100,000 rooms. sync_seen_batches holds a batch's unchanged room IDs (and the request
-- that carried each) as arrays, one row per batch; sync_seen_rooms becomes a view that unnests
-- them, so every query of the old table (the engine's reads included) keeps its shape.
CREATE TABLE IF NOT EXISTS "sync_seen_batches" (
	"run_id" uuid NOT NULL,
	"room_ids" text[] NOT NULL,
	"request_ids" text[] NOT NULL,
	CONSTRAINT "sync_seen_batches_aligned" CHECK (cardinality("room_ids") = cardinality("request_ids"))
);--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "sync_seen_batches_run_idx" ON "sync_seen_batches" USING btree ("run_id");--> statement-breakpoint
-- Room IDs are random to a compressor: trying to compress each array costs time and saves little.
ALTER TABLE "sync_seen_batches" ALTER COLUMN "room_ids" SET STORAGE EXTERNAL;--> statement-breakpoint
-- A failed full run's sightings must survive the upgrade, or its successor (which skips the windows
-- it completed) would judge those rooms deleted. The lock holds off a run still writing under the
-- old version until they are copied; its next write then fails (no table to insert into) and the
-- run is resumed from what was copied.
LOCK TABLE "sync_seen_rooms" IN ACCESS EXCLUSIVE MODE;--> statement-breakpoint
INSERT INTO "sync_seen_batches" ("run_id", "room_ids", "request_ids")
SELECT "run_id", array_agg("room_id"), array_agg("request_id") FROM "sync_seen_rooms" GROUP BY "run_id";--> statement-breakpoint
DROP TABLE "sync_seen_rooms";--> statement-breakpoint
CREATE VIEW "sync_seen_rooms" AS
SELECT b."run_id", s."room_id", s."request_id"
  FROM "sync_seen_batches" b CROSS JOIN LATERAL unnest(b."room_ids", b."request_ids") AS s("room_id", "request_id");--> statement-breakpoint
-- Every table, view, function and interface column described, from src/db/table-docs.ts.
-- BEGIN generated comments: src/db/table-docs.ts, rendered by `npm run docs:tables`
COMMENT ON TABLE "smart_chat_rooms" IS 'One row per room ever seen, primary key (project_id, room_id). Rows are never removed: a room gone upstream gets deleted_at.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_rooms"."project_id" IS 'The MetaStudio project the room belongs to.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_rooms"."room_id" IS 'The room''s ID upstream (`room_id`).';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_rooms"."room_name" IS '`room_name` as received.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_rooms"."room_description" IS '`room_description` as received.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_rooms"."robot_id" IS '`robot_id` as received.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_rooms"."cover_url" IS '`cover_url` as received.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_rooms"."model_asset_id" IS '`model_infos.model_asset_id`, extracted for indexing.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_rooms"."model_infos" IS '`model_infos` as received (jsonb).';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_rooms"."voice_config" IS 'The deprecated `voice_config` object as received (jsonb).';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_rooms"."billing_mode" IS '`billing_mode` as received.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_rooms"."reuse_resource" IS '`reuse_resource` as received.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_rooms"."concurrency" IS '`concurrency`; values outside the documented range are kept, with a warning in the log.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_rooms"."client_nums" IS '`client_nums`; values outside the documented range are kept, with a warning in the log.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_rooms"."default_language" IS '`default_language` as received.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_rooms"."exit_mute_threshold" IS '`exit_mute_threshold`; out-of-range values are kept, with a warning in the log.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_rooms"."create_time" IS '`create_time` upstream (timestamptz).';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_rooms"."update_time" IS '`update_time` upstream (timestamptz).';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_rooms"."raw" IS 'The item exactly as received (jsonb), fields unknown to this version included.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_rooms"."content_hash" IS 'Hash of the canonical `raw`: how an unchanged room is recognised without a write.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_rooms"."first_seen_at" IS 'When this mirror first saw the room.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_rooms"."last_seen_at" IS 'When a run last saw the room; refreshed when the room changes or the value is a day old.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_rooms"."last_changed_at" IS 'When this mirror last recorded a change to the room (deletion included).';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_rooms"."deleted_at" IS 'Null while the room exists upstream; set by a complete full run that no longer saw it.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_rooms"."last_request_id" IS 'The `X-Request-Id` of the response that last carried the room.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_rooms"."written_by_run" IS 'Engine state: the run that last wrote the row. The write counts as that run''s sighting, so the room needs no sync_seen_rooms row.';--> statement-breakpoint
COMMENT ON TABLE "smart_chat_room_voice_configs" IS 'One row per entry of a room''s voice_config_list, primary key (project_id, room_id, position). Rewritten only when the room changes; deleted rooms keep theirs (see smart_chat_room_voice_configs_live).';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_room_voice_configs"."project_id" IS 'The room''s project.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_room_voice_configs"."room_id" IS 'The room, in `smart_chat_rooms` (written with it, so no foreign key is checked).';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_room_voice_configs"."position" IS 'Index in `voice_config_list`, from 0, in upstream order.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_room_voice_configs"."voice_asset_id" IS '`voice_asset_id` of the entry.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_room_voice_configs"."speed" IS '`speed` of the entry.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_room_voice_configs"."pitch" IS '`pitch` of the entry.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_room_voice_configs"."volume" IS '`volume` of the entry.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_room_voice_configs"."provider" IS '`provider` of the entry.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_room_voice_configs"."language" IS '`language` of the entry.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_room_voice_configs"."language_desc" IS '`language_desc` of the entry.';--> statement-breakpoint
COMMENT ON TABLE "smart_chat_room_changes" IS 'One row per observed change to a room, never updated or removed: the mirror''s history. Read it in commit order with `metastudio-sync changes`.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_room_changes"."id" IS 'Sequence number; unique, but not commit order across concurrent runs (see xid).';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_room_changes"."project_id" IS 'The room''s project.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_room_changes"."room_id" IS 'The room.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_room_changes"."run_id" IS 'The sync_runs row of the run that observed the change.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_room_changes"."request_id" IS '`X-Request-Id` of the response that showed the change; null for deletions.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_room_changes"."change" IS 'discovered (found by a project''s first complete run: it existed before mirroring began), created, updated, deleted or restored.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_room_changes"."changed_fields" IS 'The top-level upstream fields that differ (text[]); every field for discovered and created.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_room_changes"."before" IS 'jsonb. updated: the previous values of exactly changed_fields (a field missing here did not exist); deleted: the last item seen; otherwise null.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_room_changes"."after" IS 'jsonb. updated: the new values of exactly changed_fields (a field missing here was removed); discovered, created, restored: the item.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_room_changes"."observed_at" IS 'When the mirror observed the change (the time of the batch that wrote it).';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_room_changes"."xid" IS 'The writing transaction''s ID (xid8): the change feed orders by (xid, id) and hands out a row only once no transaction that could still commit before it is running.';--> statement-breakpoint
COMMENT ON TABLE "sync_runs" IS 'One row per sync run of one project.';--> statement-breakpoint
COMMENT ON COLUMN "sync_runs"."id" IS 'Run ID (uuid).';--> statement-breakpoint
COMMENT ON COLUMN "sync_runs"."project_id" IS 'The project synced.';--> statement-breakpoint
COMMENT ON COLUMN "sync_runs"."mode" IS 'incremental or full.';--> statement-breakpoint
COMMENT ON COLUMN "sync_runs"."trigger" IS 'schedule, manual or cli.';--> statement-breakpoint
COMMENT ON COLUMN "sync_runs"."status" IS 'running, succeeded or failed.';--> statement-breakpoint
COMMENT ON COLUMN "sync_runs"."started_at" IS 'When the run started.';--> statement-breakpoint
COMMENT ON COLUMN "sync_runs"."finished_at" IS 'When it ended; null while running.';--> statement-breakpoint
COMMENT ON COLUMN "sync_runs"."window_start" IS 'Start of the time range the run read; null for everything.';--> statement-breakpoint
COMMENT ON COLUMN "sync_runs"."window_end" IS 'End of the time range the run read (the settled point).';--> statement-breakpoint
COMMENT ON COLUMN "sync_runs"."requests" IS 'Upstream HTTP requests made, retries included.';--> statement-breakpoint
COMMENT ON COLUMN "sync_runs"."rooms_seen" IS 'Distinct rooms the run saw.';--> statement-breakpoint
COMMENT ON COLUMN "sync_runs"."rooms_inserted" IS 'Rooms new to the mirror (discovered or created).';--> statement-breakpoint
COMMENT ON COLUMN "sync_runs"."rooms_updated" IS 'Rooms whose content changed, restored rooms included.';--> statement-breakpoint
COMMENT ON COLUMN "sync_runs"."rooms_unchanged" IS 'Rooms seen with the content already stored.';--> statement-breakpoint
COMMENT ON COLUMN "sync_runs"."rooms_deleted" IS 'Rooms marked deleted by the run.';--> statement-breakpoint
COMMENT ON COLUMN "sync_runs"."items_invalid" IS 'Items the upstream sent that could not be mirrored (see the log).';--> statement-breakpoint
COMMENT ON COLUMN "sync_runs"."resumed_from" IS 'The failed full run whose completed windows this run took over.';--> statement-breakpoint
COMMENT ON COLUMN "sync_runs"."error" IS 'Why the run failed; null otherwise.';--> statement-breakpoint
COMMENT ON TABLE "sync_requests" IS 'One row per upstream HTTP request, failed ones and retries included.';--> statement-breakpoint
COMMENT ON COLUMN "sync_requests"."id" IS 'Sequence number.';--> statement-breakpoint
COMMENT ON COLUMN "sync_requests"."run_id" IS 'The run that made the request.';--> statement-breakpoint
COMMENT ON COLUMN "sync_requests"."project_id" IS 'The project queried.';--> statement-breakpoint
COMMENT ON COLUMN "sync_requests"."request_id" IS '`X-Request-Id` of the response; null only when no response came.';--> statement-breakpoint
COMMENT ON COLUMN "sync_requests"."status" IS 'HTTP status; null when no response came.';--> statement-breakpoint
COMMENT ON COLUMN "sync_requests"."error_code" IS 'MetaStudio error code of a failed request.';--> statement-breakpoint
COMMENT ON COLUMN "sync_requests"."offset" IS 'The offset parameter.';--> statement-breakpoint
COMMENT ON COLUMN "sync_requests"."limit" IS 'The limit parameter.';--> statement-breakpoint
COMMENT ON COLUMN "sync_requests"."start_time" IS 'The start_time parameter, when sent.';--> statement-breakpoint
COMMENT ON COLUMN "sync_requests"."end_time" IS 'The end_time parameter, when sent.';--> statement-breakpoint
COMMENT ON COLUMN "sync_requests"."items" IS 'Items in the response.';--> statement-breakpoint
COMMENT ON COLUMN "sync_requests"."attempt" IS '1 for the first try, then each retry.';--> statement-breakpoint
COMMENT ON COLUMN "sync_requests"."duration_ms" IS 'How long the request took.';--> statement-breakpoint
COMMENT ON COLUMN "sync_requests"."requested_at" IS 'When it was sent.';--> statement-breakpoint
COMMENT ON TABLE "sync_state" IS 'Engine state per project: watermark, observed filter behaviour, last run and successes.';--> statement-breakpoint
COMMENT ON TABLE "sync_run_windows" IS 'Engine state: time windows a full run has read completely, so a failed run''s successor skips them.';--> statement-breakpoint
COMMENT ON TABLE "sync_seen_batches" IS 'Engine state: room IDs a run has seen without writing them (unchanged, or refused), one row per batch with the IDs and their request IDs as arrays, for finding deletions; cleared when the run ends. Read it through sync_seen_rooms.';--> statement-breakpoint
COMMENT ON VIEW "sync_seen_rooms" IS 'Engine state: sync_seen_batches unnested, one row per room (run_id, room_id, request_id): the rooms a run has seen without writing them.';--> statement-breakpoint
COMMENT ON VIEW "smart_chat_rooms_live" IS 'The rooms that exist upstream now: smart_chat_rooms where deleted_at is null.';--> statement-breakpoint
COMMENT ON VIEW "smart_chat_room_voice_configs_live" IS 'The voice configs of live rooms only (deleted rooms keep their rows in the table).';--> statement-breakpoint
COMMENT ON FUNCTION "smart_chat_rooms_as_of"(text, timestamptz) IS 'smart_chat_rooms_as_of(project_id, at): the project''s rooms live at `at`, each as the mirror knew it then (upstream columns and raw), rebuilt from the current rows and the change log.';--> statement-breakpoint
COMMENT ON TYPE "smart_chat_room_as_of" IS 'A row of smart_chat_rooms_as_of: the upstream columns and raw of smart_chat_rooms as of the time asked, and first_seen_at.';--> statement-breakpoint
COMMENT ON TABLE "sync_projects" IS 'One row per project this deployment has been configured for: its account and endpoint, so SQL can join runs and rooms to accounts and regions. Rows of projects no longer configured stay, with retired_at set.';--> statement-breakpoint
COMMENT ON COLUMN "sync_projects"."project_id" IS 'MetaStudio project ID, as in smart_chat_rooms.project_id and sync_runs.project_id.';--> statement-breakpoint
COMMENT ON COLUMN "sync_projects"."account" IS 'The account name from METASTUDIO_CONFIG, or default for the single account of the environment variables.';--> statement-breakpoint
COMMENT ON COLUMN "sync_projects"."endpoint" IS 'The MetaStudio endpoint (region) the project is read from; null for projects recorded before 0002_accounts until their next start.';--> statement-breakpoint
COMMENT ON COLUMN "sync_projects"."first_configured_at" IS 'When a worker or sync first ran with this project configured.';--> statement-breakpoint
COMMENT ON COLUMN "sync_projects"."last_configured_at" IS 'When a worker or sync last started with this project configured.';--> statement-breakpoint
COMMENT ON COLUMN "sync_projects"."retired_at" IS 'When a worker started without this project configured (its schedules were removed); null while configured.';--> statement-breakpoint
COMMENT ON FUNCTION "smart_chat_room_changes_notify"() IS 'Trigger function: each insert into smart_chat_room_changes sends NOTIFY smart_chat_room_changes (payload: the comma-separated project IDs), delivered when the transaction commits.';
-- END generated comments

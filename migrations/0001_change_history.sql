-- Issue 13: the mirror's history as data. Every statement only touches this migration's own
-- objects, so it applies on top of any subset of the other migrations.
ALTER TABLE "smart_chat_room_changes" ADD COLUMN IF NOT EXISTS "before" jsonb;--> statement-breakpoint
ALTER TABLE "smart_chat_room_changes" ADD COLUMN IF NOT EXISTS "after" jsonb;--> statement-breakpoint
-- The writing transaction, for the change feed: a default, so every writer (one that predates
-- this column included) records it without naming it.
ALTER TABLE "smart_chat_room_changes" ADD COLUMN IF NOT EXISTS "xid" xid8 DEFAULT pg_current_xact_id() NOT NULL;--> statement-breakpoint
ALTER TABLE "smart_chat_room_changes" DROP CONSTRAINT IF EXISTS "smart_chat_room_changes_change_check";--> statement-breakpoint
ALTER TABLE "smart_chat_room_changes" ADD CONSTRAINT "smart_chat_room_changes_change_check" CHECK ("smart_chat_room_changes"."change" in ('discovered','created','updated','deleted','restored'));--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "smart_chat_room_changes_feed_idx" ON "smart_chat_room_changes" USING btree ("xid","id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "smart_chat_room_changes_observed_at_idx" ON "smart_chat_room_changes" USING btree ("observed_at");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "smart_chat_room_voice_configs_provider_idx" ON "smart_chat_room_voice_configs" USING btree ("provider");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "smart_chat_room_voice_configs_voice_asset_idx" ON "smart_chat_room_voice_configs" USING btree ("voice_asset_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "smart_chat_rooms_deleted_idx" ON "smart_chat_rooms" USING btree ("deleted_at") WHERE "smart_chat_rooms"."deleted_at" is not null;--> statement-breakpoint
CREATE OR REPLACE VIEW "smart_chat_rooms_live" AS
  SELECT * FROM "smart_chat_rooms" WHERE "deleted_at" IS NULL;--> statement-breakpoint
CREATE OR REPLACE VIEW "smart_chat_room_voice_configs_live" AS
  SELECT v.* FROM "smart_chat_room_voice_configs" v
  WHERE EXISTS (SELECT 1 FROM "smart_chat_rooms" r
                 WHERE r."project_id" = v."project_id" AND r."room_id" = v."room_id" AND r."deleted_at" IS NULL);--> statement-breakpoint
-- One statement-level trigger per insert: a committed batch wakes every LISTEN client once
-- (Postgres delivers notifications at commit, and folds identical ones of one transaction).
CREATE OR REPLACE FUNCTION "smart_chat_room_changes_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('smart_chat_room_changes',
    left(coalesce((SELECT string_agg(DISTINCT project_id, ',' ORDER BY project_id) FROM new_rows), ''), 7000));
  RETURN NULL;
END $$;--> statement-breakpoint
DROP TRIGGER IF EXISTS "smart_chat_room_changes_notify" ON "smart_chat_room_changes";--> statement-breakpoint
CREATE TRIGGER "smart_chat_room_changes_notify" AFTER INSERT ON "smart_chat_room_changes"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "smart_chat_room_changes_notify"();--> statement-breakpoint
CREATE TYPE "smart_chat_room_as_of" AS (
  "project_id" text, "room_id" text, "room_name" text, "room_description" text, "robot_id" text,
  "cover_url" text, "model_asset_id" text, "model_infos" jsonb, "voice_config" jsonb,
  "billing_mode" text, "reuse_resource" boolean, "concurrency" integer, "client_nums" integer,
  "default_language" text, "exit_mute_threshold" integer, "create_time" timestamptz,
  "update_time" timestamptz, "raw" jsonb, "first_seen_at" timestamptz
);--> statement-breakpoint
-- Rooms unchanged since `at` are today's rows as they are. A room with changes after `at` is
-- rebuilt backwards: its first later change tells whether it was live then (a later `updated`
-- or `deleted` says yes; `created`, `discovered` or `restored` say it was not), the first later
-- deletion's `before` (or today's raw) is the item it had until then, and each field touched by
-- an update in between takes the `before` value of the earliest such update. Only the changes
-- after `at` are read, through (project_id, observed_at).
CREATE OR REPLACE FUNCTION "smart_chat_rooms_as_of"(project_id text, at timestamptz)
RETURNS SETOF "smart_chat_room_as_of" LANGUAGE sql STABLE
-- Sorting the changes after `at` per room in memory: at 100k rooms the default 4MB spills to disk.
SET work_mem = '64MB' AS $$
  WITH later AS MATERIALIZED (
    SELECT c.id, c.room_id, c.change, c.changed_fields, c.before, c.observed_at
      FROM smart_chat_room_changes c
     WHERE c.project_id = $1 AND c.observed_at > $2
  ), firsts AS (
    SELECT DISTINCT ON (room_id) room_id, change FROM later ORDER BY room_id, observed_at, id
  ), deletes AS (
    SELECT DISTINCT ON (room_id) room_id, before, observed_at, id
      FROM later WHERE change = 'deleted' ORDER BY room_id, observed_at, id
  ), undo AS (
    SELECT DISTINCT ON (l.room_id, f.field) l.room_id, f.field,
           l.before ? f.field AS present, l.before -> f.field AS value
      FROM later l
      LEFT JOIN deletes d ON d.room_id = l.room_id
      CROSS JOIN LATERAL unnest(l.changed_fields) AS f(field)
     WHERE l.change = 'updated' AND l.before IS NOT NULL
       AND (d.room_id IS NULL OR (l.observed_at, l.id) < (d.observed_at, d.id))
     ORDER BY l.room_id, f.field, l.observed_at, l.id
  ), patches AS (
    SELECT room_id,
           coalesce(jsonb_object_agg(field, value) FILTER (WHERE present), '{}'::jsonb) AS put,
           coalesce(array_agg(field) FILTER (WHERE NOT present), '{}'::text[]) AS dropped
      FROM undo GROUP BY room_id
  ), rebuilt AS MATERIALIZED (  -- computed once per room, not once per column read below
    SELECT r.room_id, r.first_seen_at,
           (coalesce(d.before, r.raw) - coalesce(p.dropped, '{}'::text[])) || coalesce(p.put, '{}'::jsonb) AS raw
      FROM firsts f
      JOIN smart_chat_rooms r ON r.project_id = $1 AND r.room_id = f.room_id
      LEFT JOIN deletes d ON d.room_id = f.room_id
      LEFT JOIN patches p ON p.room_id = f.room_id
     WHERE f.change IN ('updated', 'deleted') AND r.first_seen_at <= $2
  )
  SELECT r.project_id, r.room_id, r.room_name, r.room_description, r.robot_id, r.cover_url,
         r.model_asset_id, r.model_infos, r.voice_config, r.billing_mode, r.reuse_resource,
         r.concurrency, r.client_nums, r.default_language, r.exit_mute_threshold, r.create_time,
         r.update_time, r.raw, r.first_seen_at
    FROM smart_chat_rooms r
   WHERE r.project_id = $1 AND r.deleted_at IS NULL AND r.first_seen_at <= $2
     AND NOT EXISTS (SELECT 1 FROM firsts f WHERE f.room_id = r.room_id)
  UNION ALL
  SELECT $1, x.room_id, x.raw ->> 'room_name', x.raw ->> 'room_description', x.raw ->> 'robot_id',
         x.raw ->> 'cover_url', x.raw -> 'model_infos' ->> 'model_asset_id',
         nullif(x.raw -> 'model_infos', 'null'::jsonb), nullif(x.raw -> 'voice_config', 'null'::jsonb),
         x.raw ->> 'billing_mode', (x.raw ->> 'reuse_resource')::boolean, (x.raw ->> 'concurrency')::integer,
         (x.raw ->> 'client_nums')::integer, x.raw ->> 'default_language',
         (x.raw ->> 'exit_mute_threshold')::integer, (x.raw ->> 'create_time')::timestamptz,
         (x.raw ->> 'update_time')::timestamptz, x.raw, x.first_seen_at
    FROM rebuilt x
$$;--> statement-breakpoint
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
COMMENT ON TABLE "smart_chat_room_voice_configs" IS 'One row per entry of a room''s voice_config_list, primary key (project_id, room_id, position). Rewritten only when the room changes; deleted rooms keep theirs (see smart_chat_room_voice_configs_live).';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_room_voice_configs"."project_id" IS 'The room''s project.';--> statement-breakpoint
COMMENT ON COLUMN "smart_chat_room_voice_configs"."room_id" IS 'The room (foreign key to `smart_chat_rooms`, cascade).';--> statement-breakpoint
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
COMMENT ON TABLE "sync_seen_rooms" IS 'Engine state: room IDs a run has seen, for finding deletions; cleared when the run ends.';--> statement-breakpoint
COMMENT ON VIEW "smart_chat_rooms_live" IS 'The rooms that exist upstream now: smart_chat_rooms where deleted_at is null.';--> statement-breakpoint
COMMENT ON VIEW "smart_chat_room_voice_configs_live" IS 'The voice configs of live rooms only (deleted rooms keep their rows in the table).';--> statement-breakpoint
COMMENT ON FUNCTION "smart_chat_rooms_as_of"(text, timestamptz) IS 'smart_chat_rooms_as_of(project_id, at): the project''s rooms live at `at`, each as the mirror knew it then (upstream columns and raw), rebuilt from the current rows and the change log.';--> statement-breakpoint
COMMENT ON TYPE "smart_chat_room_as_of" IS 'A row of smart_chat_rooms_as_of: the upstream columns and raw of smart_chat_rooms as of the time asked, and first_seen_at.';--> statement-breakpoint
COMMENT ON FUNCTION "smart_chat_room_changes_notify"() IS 'Trigger function: each insert into smart_chat_room_changes sends NOTIFY smart_chat_room_changes (payload: the comma-separated project IDs), delivered when the transaction commits.';
-- END generated comments

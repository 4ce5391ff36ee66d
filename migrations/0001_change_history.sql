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
$$;

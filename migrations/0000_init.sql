CREATE TABLE "smart_chat_room_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"project_id" text NOT NULL,
	"room_id" text NOT NULL,
	"run_id" uuid NOT NULL,
	"request_id" text,
	"change" text NOT NULL,
	"changed_fields" text[] NOT NULL,
	"observed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "smart_chat_room_changes_change_check" CHECK ("smart_chat_room_changes"."change" in ('created','updated','deleted','restored'))
);
--> statement-breakpoint
CREATE TABLE "smart_chat_room_voice_configs" (
	"project_id" text NOT NULL,
	"room_id" text NOT NULL,
	"position" integer NOT NULL,
	"voice_asset_id" text,
	"speed" integer,
	"pitch" integer,
	"volume" integer,
	"provider" text,
	"language" text,
	"language_desc" text,
	CONSTRAINT "smart_chat_room_voice_configs_project_id_room_id_position_pk" PRIMARY KEY("project_id","room_id","position")
);
--> statement-breakpoint
CREATE TABLE "smart_chat_rooms" (
	"project_id" text NOT NULL,
	"room_id" text NOT NULL,
	"room_name" text,
	"room_description" text,
	"robot_id" text,
	"cover_url" text,
	"model_asset_id" text,
	"model_infos" jsonb,
	"voice_config" jsonb,
	"billing_mode" text,
	"reuse_resource" boolean,
	"concurrency" integer,
	"client_nums" integer,
	"default_language" text,
	"exit_mute_threshold" integer,
	"create_time" timestamp with time zone,
	"update_time" timestamp with time zone,
	"raw" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"last_changed_at" timestamp with time zone NOT NULL,
	"deleted_at" timestamp with time zone,
	"last_request_id" text,
	CONSTRAINT "smart_chat_rooms_project_id_room_id_pk" PRIMARY KEY("project_id","room_id")
);
--> statement-breakpoint
CREATE TABLE "sync_requests" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"project_id" text NOT NULL,
	"request_id" text,
	"status" integer,
	"error_code" text,
	"offset" integer NOT NULL,
	"limit" integer NOT NULL,
	"start_time" timestamp with time zone,
	"end_time" timestamp with time zone,
	"items" integer,
	"attempt" integer NOT NULL,
	"duration_ms" integer NOT NULL,
	"requested_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_run_windows" (
	"run_id" uuid NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"window_end" timestamp with time zone NOT NULL,
	"rooms" integer NOT NULL,
	CONSTRAINT "sync_run_windows_run_id_window_start_window_end_pk" PRIMARY KEY("run_id","window_start","window_end")
);
--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" text NOT NULL,
	"mode" text NOT NULL,
	"trigger" text NOT NULL,
	"status" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"window_start" timestamp with time zone,
	"window_end" timestamp with time zone,
	"requests" integer DEFAULT 0 NOT NULL,
	"rooms_seen" integer DEFAULT 0 NOT NULL,
	"rooms_inserted" integer DEFAULT 0 NOT NULL,
	"rooms_updated" integer DEFAULT 0 NOT NULL,
	"rooms_unchanged" integer DEFAULT 0 NOT NULL,
	"rooms_deleted" integer DEFAULT 0 NOT NULL,
	"items_invalid" integer DEFAULT 0 NOT NULL,
	"resumed_from" uuid,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "sync_seen_rooms" (
	"run_id" uuid NOT NULL,
	"room_id" text NOT NULL,
	"request_id" text,
	CONSTRAINT "sync_seen_rooms_run_id_room_id_pk" PRIMARY KEY("run_id","room_id")
);
--> statement-breakpoint
CREATE TABLE "sync_state" (
	"project_id" text PRIMARY KEY NOT NULL,
	"watermark" timestamp with time zone,
	"filter_field" text,
	"last_run_id" uuid,
	"last_success_at" timestamp with time zone,
	"last_full_success_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "smart_chat_room_voice_configs" ADD CONSTRAINT "smart_chat_room_voice_configs_project_id_room_id_smart_chat_rooms_project_id_room_id_fk" FOREIGN KEY ("project_id","room_id") REFERENCES "public"."smart_chat_rooms"("project_id","room_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "smart_chat_room_changes_room_idx" ON "smart_chat_room_changes" USING btree ("project_id","room_id","observed_at");--> statement-breakpoint
CREATE INDEX "smart_chat_room_changes_observed_idx" ON "smart_chat_room_changes" USING btree ("project_id","observed_at");--> statement-breakpoint
CREATE INDEX "smart_chat_room_changes_run_idx" ON "smart_chat_room_changes" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "smart_chat_rooms_name_idx" ON "smart_chat_rooms" USING btree ("project_id","room_name");--> statement-breakpoint
CREATE INDEX "smart_chat_rooms_update_time_idx" ON "smart_chat_rooms" USING btree ("project_id","update_time");--> statement-breakpoint
CREATE INDEX "smart_chat_rooms_live_idx" ON "smart_chat_rooms" USING btree ("project_id","room_id") WHERE "smart_chat_rooms"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "smart_chat_rooms_model_asset_idx" ON "smart_chat_rooms" USING btree ("model_asset_id");--> statement-breakpoint
CREATE INDEX "sync_requests_run_idx" ON "sync_requests" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "sync_requests_project_idx" ON "sync_requests" USING btree ("project_id","requested_at");--> statement-breakpoint
CREATE INDEX "sync_requests_request_id_idx" ON "sync_requests" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "sync_runs_project_started_idx" ON "sync_runs" USING btree ("project_id","started_at");--> statement-breakpoint
CREATE INDEX "sync_runs_running_idx" ON "sync_runs" USING btree ("project_id") WHERE "sync_runs"."status" = 'running';
CREATE TABLE IF NOT EXISTS "sync_projects" (
	"project_id" text PRIMARY KEY NOT NULL,
	"account" text NOT NULL,
	"endpoint" text,
	"first_configured_at" timestamp with time zone NOT NULL DEFAULT now(),
	"last_configured_at" timestamp with time zone NOT NULL DEFAULT now(),
	"retired_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "sync_projects_account_idx" ON "sync_projects" ("account");
--> statement-breakpoint
-- Projects mirrored before accounts existed belong to the one account of the environment.
INSERT INTO "sync_projects" ("project_id", "account", "first_configured_at", "last_configured_at")
SELECT "project_id", 'default', min("started_at"), max("started_at") FROM "sync_runs" GROUP BY "project_id"
ON CONFLICT ("project_id") DO NOTHING;
--> statement-breakpoint
COMMENT ON TABLE "sync_projects" IS 'One row per project this deployment has been configured for: its account and endpoint, so SQL can join runs and rooms to accounts and regions. Rows of projects no longer configured stay, with retired_at set.';
--> statement-breakpoint
COMMENT ON COLUMN "sync_projects"."project_id" IS 'MetaStudio project ID, as in smart_chat_rooms.project_id and sync_runs.project_id.';
--> statement-breakpoint
COMMENT ON COLUMN "sync_projects"."account" IS 'The account name from METASTUDIO_CONFIG, or default for the single account of the environment variables.';
--> statement-breakpoint
COMMENT ON COLUMN "sync_projects"."endpoint" IS 'The MetaStudio endpoint (region) the project is read from; null for projects recorded before 0002_accounts until their next start.';
--> statement-breakpoint
COMMENT ON COLUMN "sync_projects"."first_configured_at" IS 'When a worker or sync first ran with this project configured.';
--> statement-breakpoint
COMMENT ON COLUMN "sync_projects"."last_configured_at" IS 'When a worker or sync last started with this project configured.';
--> statement-breakpoint
COMMENT ON COLUMN "sync_projects"."retired_at" IS 'When a worker started without this project configured (its schedules were removed); null while configured.';
--> statement-breakpoint
-- Housekeeping deletes old requests in batches by age; without this it would scan the table.
CREATE INDEX IF NOT EXISTS "sync_requests_requested_at_idx" ON "sync_requests" ("requested_at");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "sync_runs_finished_idx" ON "sync_runs" ("finished_at") WHERE "status" <> 'running';

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
-- Housekeeping deletes old requests in batches by age; without this it would scan the table.
CREATE INDEX IF NOT EXISTS "sync_requests_requested_at_idx" ON "sync_requests" ("requested_at");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "sync_runs_finished_idx" ON "sync_runs" ("finished_at") WHERE "status" <> 'running';

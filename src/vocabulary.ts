/**
 * The words every layer shares: what a run is, what started it, what the upstream's time filter
 * applies to, what a change is, and what a sync job asks for. Below the database, the queue and
 * the engine alike, so none of them has to import another to speak of a run.
 */

export const RUN_MODES = ["incremental", "full"] as const;
export const RUN_TRIGGERS = ["schedule", "manual", "cli"] as const;
export const RUN_STATUSES = ["running", "succeeded", "failed"] as const;
export type RunMode = (typeof RUN_MODES)[number];
export type RunTrigger = (typeof RUN_TRIGGERS)[number];
export type RunStatus = (typeof RUN_STATUSES)[number];

/** What `start_time`/`end_time` were observed to filter on (the API does not document it). */
export const FILTER_FIELDS = ["update_time", "create_time", "ignored"] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];

/** One row of `smart_chat_room_changes`. */
export const CHANGE_KINDS = ["discovered", "created", "updated", "deleted", "restored"] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** One run of one project, as the CLI, the worker and `resync` ask for it. */
export interface SyncJob {
  projectId: string;
  mode: RunMode;
  trigger: RunTrigger;
  /** Fetch and diff, write nothing. */
  dryRun?: boolean;
  /** Let a full run mark more than `massDeleteThreshold` of the live rooms deleted. */
  allowMassDelete?: boolean;
}

/** NOTIFY channel of `smart_chat_room_changes`: one notification per committed batch. */
export const CHANGES_CHANNEL = "smart_chat_room_changes";

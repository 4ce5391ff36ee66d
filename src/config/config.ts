import type { AccountConfig } from "./account-config.js";
import { ConfigError } from "./config-error.js";
import { checkAdminToken, checkDataDir, redisDatabase } from "./check-settings.js";
import { loadAccounts } from "./load-accounts.js";
import { type Env, readEnv, readNumber } from "./read-env.js";
import { readPoolSize } from "./read-pool-size.js";
import { readRunBudget, type RunBudgetSettings } from "./read-run-budget.js";
import { readDatabaseUrl } from "./database-url.js";
import { readUrl } from "./read-url.js";

export type { AccountConfig, AuthConfig, MetaStudioConfig } from "./account-config.js";
export { DEFAULT_ACCOUNT } from "./load-accounts.js";

export interface SyncConfig {
  /** How far before the watermark an incremental run starts again, for late or skewed updates. @default 3600 */
  lookbackSeconds: number;
  /** Share of a project's live rooms a full run may mark deleted before it refuses. @default 0.2 */
  massDeleteThreshold: number;
  /** How far the upstream's clock may be off ours, either way, before a run warns. @default 300 */
  clockSkewSeconds: number;
  /** Incremental schedule: an interval (`5m`, `30s`, `1h`) or a cron pattern. @default "5m" */
  incrementalEvery: string;
  /** Full reconcile schedule: an interval or a cron pattern. @default "1d" */
  fullEvery: string;
  /** Projects one worker process syncs at once. @default 4 */
  workerConcurrency: number;
  /** The worker's Postgres connections at most (DATABASE_POOL_SIZE); undefined: sized to its runs. */
  databasePoolSize: number | undefined;
  /** Requests and wall time per run, growing with the reported count (see RunBudgetSettings). */
  runBudget: RunBudgetSettings;
}

/** Retention of the audit tables, pruned by the worker's housekeeping (src/housekeeping). */
export interface HousekeepingConfig {
  /** `sync_requests` rows kept this many days. @default 90 */
  requestsDays: number;
  /** Finished `sync_runs` kept this many days (unless a kept change names them). @default 365 */
  runsDays: number;
  /** Scratch rows of runs finished this many days ago (a failed full resumes within 1). @default 2 */
  scratchDays: number;
  /** `smart_chat_room_changes` kept this many days; undefined keeps them all. @default undefined */
  changesDays: number | undefined;
  /** Hours between passes; 0 turns housekeeping off. @default 6 */
  everyHours: number;
  /** Rows per delete statement. @default 5000 */
  batchSize: number;
  /** Pause between two batches. @default 50 */
  pauseMs: number;
}

export interface AdminConfig {
  /** @default "127.0.0.1" */
  host: string;
  /** @default 9464 */
  port: number;
  token: string | undefined;
}

export interface BaseConfig {
  /** Postgres URL; undefined selects the embedded database in `embeddedDataDir`. */
  databaseUrl: string | undefined;
  /** @default "./.metastudio-sync/pgdata" */
  embeddedDataDir: string;
  redisUrl: string | undefined;
  admin: AdminConfig;
  sync: SyncConfig;
  housekeeping: HousekeepingConfig;
  /** @default "info" */
  logLevel: string;
  /**
   * From METASTUDIO_CONFIG, or the one account `default` of the single-account variables; loaded
   * only for commands that call MetaStudio (see loadConfig). No project is in two accounts.
   */
  accounts: AccountConfig[] | undefined;
}

export interface Config extends BaseConfig {
  accounts: AccountConfig[];
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** Every configured project, in configuration order. */
export function allProjectIds(accounts: readonly AccountConfig[]): string[] {
  return accounts.flatMap((account) => account.projectIds);
}

/** The account a project belongs to, or undefined when no account lists it. */
export function accountOf(accounts: readonly AccountConfig[], projectId: string): AccountConfig | undefined {
  return accounts.find((account) => account.projectIds.includes(projectId));
}

/**
 * Reads and validates the whole configuration once. Every error is a ConfigError that names the
 * variable; nothing here echoes a secret's value. With `{ metastudio: false }` the accounts are
 * not read at all: a command that never calls MetaStudio (status, changes, migrate) must not
 * demand an endpoint and credentials it does not use (configuredProjectIds reads just the IDs).
 */
export function loadConfig(env: Env, options: { metastudio: false }): BaseConfig;
export function loadConfig(env: Env, options?: { metastudio?: true }): Config;
export function loadConfig(env: Env, options: { metastudio?: boolean } = {}): BaseConfig {
  const needMetaStudio = options.metastudio ?? true;
  const logLevel = readEnv(env, "LOG_LEVEL") ?? "info";
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(
      `LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}; got ${JSON.stringify(logLevel)}.`,
    );
  }
  const workerConcurrency = readNumber(env, "WORKER_CONCURRENCY", 4, { min: 1, max: 256, integer: true });
  return {
    databaseUrl: readDatabaseUrl(env),
    embeddedDataDir: checkDataDir(readEnv(env, "METASTUDIO_SYNC_DATA_DIR") ?? "./.metastudio-sync/pgdata"),
    redisUrl: readRedisUrl(env),
    admin: {
      host: readEnv(env, "ADMIN_HOST") ?? "127.0.0.1",
      port: readNumber(env, "ADMIN_PORT", 9464, { min: 0, max: 65535, integer: true }),
      token: checkAdminToken(readEnv(env, "ADMIN_TOKEN")),
    },
    sync: {
      lookbackSeconds: readNumber(env, "SYNC_LOOKBACK_SECONDS", 3600, { integer: true }),
      massDeleteThreshold: readNumber(env, "SYNC_MASS_DELETE_THRESHOLD", 0.2, { max: 1 }),
      clockSkewSeconds: readNumber(env, "METASTUDIO_CLOCK_SKEW_SECONDS", 300, { max: 86_400, integer: true }),
      incrementalEvery: readEnv(env, "SYNC_INCREMENTAL_EVERY") ?? "5m",
      fullEvery: readEnv(env, "SYNC_FULL_EVERY") ?? "1d",
      workerConcurrency,
      databasePoolSize: readPoolSize(env, workerConcurrency),
      runBudget: readRunBudget(env),
    },
    housekeeping: loadHousekeeping(env),
    logLevel,
    accounts: needMetaStudio ? loadAccounts(env) : undefined,
  };
}

function loadHousekeeping(env: Env): HousekeepingConfig {
  const days = (name: string, fallback: number) =>
    readNumber(env, name, fallback, { min: 1, max: 36_500, integer: true });
  const changes = readEnv(env, "HOUSEKEEPING_CHANGES_DAYS");
  return {
    requestsDays: days("HOUSEKEEPING_REQUESTS_DAYS", 90),
    runsDays: days("HOUSEKEEPING_RUNS_DAYS", 365),
    scratchDays: days("HOUSEKEEPING_SCRATCH_DAYS", 2),
    changesDays: changes === undefined ? undefined : days("HOUSEKEEPING_CHANGES_DAYS", 0),
    everyHours: readNumber(env, "HOUSEKEEPING_EVERY_HOURS", 6, { min: 0, max: 24 * 30 }),
    batchSize: readNumber(env, "HOUSEKEEPING_BATCH_SIZE", 5000, { min: 1, max: 100_000, integer: true }),
    pauseMs: 50,
  };
}

function readRedisUrl(env: Env): string | undefined {
  const url = readUrl(env, "REDIS_URL", ["redis:", "rediss:"]);
  if (url !== undefined) redisDatabase(url);
  return url;
}

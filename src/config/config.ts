import { ConfigError } from "./config-error.js";
import { checkAdminToken, checkCredential, checkDataDir, redisDatabase } from "./check-settings.js";
import { parseProjectIds } from "./parse-project-ids.js";
import { type Env, readEnv, readNumber } from "./read-env.js";
import { readUpstreamLimits, type UpstreamLimits } from "./read-upstream-limits.js";

/** How requests to MetaStudio are authenticated; exactly one, chosen from what is configured. */
export type AuthConfig =
  | { kind: "aksk"; accessKey: string; secretKey: string }
  | { kind: "token"; token: string }
  | { kind: "iam-password"; iamEndpoint: string; domain: string; username: string; password: string };

export interface MetaStudioConfig extends Partial<UpstreamLimits> {
  /** Base URL, without the `/v1/...` path. */
  endpoint: string;
  projectIds: string[];
  auth: AuthConfig;
  /** Sent as `X-App-UserId` when set. */
  appUserId: string | undefined;
  /**
   * Upstream requests per second for the whole account: every project and every worker process
   * together. MetaStudio throttles query APIs per tenant at 10 to 20/s depending on the region.
   * @default 8
   */
  rateLimitPerSecond: number;
  /** Overall deadline for one HTTP request, connect to last body byte. @default 30000 */
  requestTimeoutMs: number;
  /** Tries per request, the first included, for retryable failures. @default 6 */
  maxAttempts: number;
  /** Pages fetched at once within one project's run. @default 8 */
  pageConcurrency: number;
}

export interface SyncConfig {
  /** How far before the watermark an incremental run starts again, for late or skewed updates. @default 3600 */
  lookbackSeconds: number;
  /** Share of a project's live rooms a full run may mark deleted before it refuses. @default 0.2 */
  massDeleteThreshold: number;
  /** Incremental schedule: an interval (`5m`, `30s`, `1h`) or a cron pattern. @default "5m" */
  incrementalEvery: string;
  /** Full reconcile schedule: an interval or a cron pattern. @default "1d" */
  fullEvery: string;
  /** Projects one worker process syncs at once. @default 4 */
  workerConcurrency: number;
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
  /** @default "info" */
  logLevel: string;
  /** Present when METASTUDIO_ENDPOINT and METASTUDIO_PROJECT_IDS are configured. */
  metastudio: MetaStudioConfig | undefined;
}

export interface Config extends BaseConfig {
  metastudio: MetaStudioConfig;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/**
 * Reads and validates the whole configuration once. Every error is a ConfigError that names the
 * variable; nothing here echoes a secret's value.
 */
export function loadConfig(env: Env, options: { metastudio: false }): BaseConfig;
export function loadConfig(env: Env, options?: { metastudio?: true }): Config;
export function loadConfig(env: Env, options: { metastudio?: boolean } = {}): BaseConfig {
  const needMetaStudio = options.metastudio ?? true;
  const configured = readEnv(env, "METASTUDIO_ENDPOINT") ?? readEnv(env, "METASTUDIO_PROJECT_IDS");
  const logLevel = readEnv(env, "LOG_LEVEL") ?? "info";
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(
      `LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}; got ${JSON.stringify(logLevel)}.`,
    );
  }
  return {
    databaseUrl: readUrl(env, "DATABASE_URL", ["postgres:", "postgresql:"]),
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
      incrementalEvery: readEnv(env, "SYNC_INCREMENTAL_EVERY") ?? "5m",
      fullEvery: readEnv(env, "SYNC_FULL_EVERY") ?? "1d",
      workerConcurrency: readNumber(env, "WORKER_CONCURRENCY", 4, { min: 1, max: 256, integer: true }),
    },
    logLevel,
    metastudio: needMetaStudio || configured !== undefined ? loadMetaStudio(env) : undefined,
  };
}

function loadMetaStudio(env: Env): MetaStudioConfig {
  const endpoint = readUrl(env, "METASTUDIO_ENDPOINT", ["http:", "https:"]);
  if (endpoint === undefined) {
    throw new ConfigError(
      "METASTUDIO_ENDPOINT is not set; e.g. https://metastudio.cn-north-4.myhuaweicloud.com",
    );
  }
  const rawIds = readEnv(env, "METASTUDIO_PROJECT_IDS");
  if (rawIds === undefined) {
    throw new ConfigError(
      "METASTUDIO_PROJECT_IDS is not set; give one or more project IDs, comma-separated.",
    );
  }
  const projectIds = parseProjectIds(rawIds, Boolean(env.METASTUDIO_PROJECT_IDS_FILE?.trim()));
  return {
    endpoint: endpoint.replace(/\/+$/, ""),
    projectIds,
    auth: loadAuth(env),
    appUserId: readEnv(env, "METASTUDIO_APP_USER_ID"),
    rateLimitPerSecond: readNumber(env, "METASTUDIO_RATE_LIMIT", 8, { min: 0.1, max: 10_000 }),
    requestTimeoutMs: readNumber(env, "METASTUDIO_REQUEST_TIMEOUT_MS", 30_000, {
      min: 100,
      // Node's timers take at most 2^31-1 ms; above it they fire after 1 ms, failing every request.
      max: 2 ** 31 - 1,
      integer: true,
    }),
    maxAttempts: readNumber(env, "METASTUDIO_MAX_ATTEMPTS", 6, { min: 1, max: 50, integer: true }),
    pageConcurrency: readNumber(env, "METASTUDIO_PAGE_CONCURRENCY", 8, { min: 1, max: 64, integer: true }),
    ...readUpstreamLimits(env),
  };
}

function loadAuth(env: Env): AuthConfig {
  const accessKey = checkCredential("HUAWEICLOUD_SDK_AK", readEnv(env, "HUAWEICLOUD_SDK_AK"));
  const secretKey = checkCredential("HUAWEICLOUD_SDK_SK", readEnv(env, "HUAWEICLOUD_SDK_SK"));
  if (accessKey !== undefined || secretKey !== undefined) {
    if (accessKey === undefined)
      throw new ConfigError("HUAWEICLOUD_SDK_SK is set but HUAWEICLOUD_SDK_AK is not.");
    if (secretKey === undefined)
      throw new ConfigError("HUAWEICLOUD_SDK_AK is set but HUAWEICLOUD_SDK_SK is not.");
    return { kind: "aksk", accessKey, secretKey };
  }
  const token = checkCredential("METASTUDIO_AUTH_TOKEN", readEnv(env, "METASTUDIO_AUTH_TOKEN"));
  if (token !== undefined) return { kind: "token", token };

  const iamNames = [
    "HUAWEICLOUD_IAM_ENDPOINT",
    "HUAWEICLOUD_IAM_DOMAIN",
    "HUAWEICLOUD_IAM_USERNAME",
    "HUAWEICLOUD_IAM_PASSWORD",
  ] as const;
  const iam = iamNames.map((name) => checkCredential(name, readEnv(env, name)));
  if (iam.some((value) => value !== undefined)) {
    const missing = iamNames.filter((_, i) => iam[i] === undefined);
    if (missing.length > 0) {
      throw new ConfigError(`IAM password authentication needs ${missing.join(", ")} as well.`);
    }
    const iamEndpoint = readUrl(env, "HUAWEICLOUD_IAM_ENDPOINT", ["http:", "https:"]) ?? "";
    const [, domain = "", username = "", password = ""] = iam;
    return { kind: "iam-password", iamEndpoint: iamEndpoint.replace(/\/+$/, ""), domain, username, password };
  }
  throw new ConfigError(
    "No MetaStudio credentials: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (AK/SK signing), " +
      "or METASTUDIO_AUTH_TOKEN (an IAM token), or HUAWEICLOUD_IAM_ENDPOINT, HUAWEICLOUD_IAM_DOMAIN, " +
      "HUAWEICLOUD_IAM_USERNAME and HUAWEICLOUD_IAM_PASSWORD (tokens obtained and renewed from a password).",
  );
}

function readRedisUrl(env: Env): string | undefined {
  const url = readUrl(env, "REDIS_URL", ["redis:", "rediss:"]);
  if (url !== undefined) redisDatabase(url);
  return url;
}

function readUrl(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = readEnv(env, name);
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL.`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(
      `${name} must start with ${protocols.map((p) => `${p}//`).join(" or ")}; got ${url.protocol}//.`,
    );
  }
  return raw;
}

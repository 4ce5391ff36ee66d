import { readAccountsFile, type AccountEntry } from "./accounts-file.js";
import { checkCredential, checkHeaderValue } from "./check-settings.js";
import type { AccountConfig, AuthConfig, MetaStudioConfig } from "./account-config.js";
import { ConfigError } from "./config-error.js";
import { normalizeEndpoint } from "./normalize-endpoint.js";
import { parseProjectIds } from "./parse-project-ids.js";
import { type Env, readEnv, readNumber } from "./read-env.js";
import { readUpstreamLimits, type UpstreamLimits } from "./read-upstream-limits.js";
import { readUrl } from "./read-url.js";

/** The account name of the one account the environment variables define. */
export const DEFAULT_ACCOUNT = "default";

/**
 * The variables that define the single account; with METASTUDIO_CONFIG they would be a second,
 * silently ignored source of truth, so they are refused instead.
 */
const SINGLE_ACCOUNT_VARIABLES = [
  "METASTUDIO_ENDPOINT",
  "METASTUDIO_PROJECT_IDS",
  "HUAWEICLOUD_SDK_AK",
  "HUAWEICLOUD_SDK_SK",
  "HUAWEICLOUD_SDK_SECURITY_TOKEN",
  "METASTUDIO_AUTH_TOKEN",
  "HUAWEICLOUD_IAM_ENDPOINT",
  "HUAWEICLOUD_IAM_DOMAIN",
  "HUAWEICLOUD_IAM_USERNAME",
  "HUAWEICLOUD_IAM_PASSWORD",
  "METASTUDIO_APP_USER_ID",
  "METASTUDIO_RATE_LIMIT",
];

/**
 * The MetaStudio accounts: those of METASTUDIO_CONFIG's file, or the one account `default` the
 * single-account variables define. Every error names the variable, file or key; no secret echoed.
 */
export function loadAccounts(env: Env): AccountConfig[] {
  const file = readEnv(env, "METASTUDIO_CONFIG");
  if (file === undefined) return [{ name: DEFAULT_ACCOUNT, ...loadMetaStudio(env) }];
  // readEnv, not the raw variables: an empty secret file is unset, as Compose mounts one for
  // every secret it may pass (see docker-compose.yml), used or not.
  const conflict = SINGLE_ACCOUNT_VARIABLES.find((name) => readEnv(env, name) !== undefined);
  if (conflict !== undefined) {
    const name = env[conflict]?.trim() ? conflict : `${conflict}_FILE`;
    throw new ConfigError(
      `METASTUDIO_CONFIG and ${name} are both set: with an accounts file, every account's endpoint, ` +
        `projects and credentials come from the file; unset ${name}.`,
    );
  }
  const tuning = loadTuning(env);
  return readAccountsFile(file, env).map((entry) => fromEntry(entry, tuning, file));
}

type Tuning = Pick<MetaStudioConfig, "requestTimeoutMs" | "maxAttempts" | "pageConcurrency"> & UpstreamLimits;

/** Settings of the client itself rather than of an account: the same for every account. */
function loadTuning(env: Env): Tuning {
  return {
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

function fromEntry(entry: AccountEntry, tuning: Tuning, file: string): AccountConfig {
  let auth: AuthConfig;
  if (entry.ak !== undefined && entry.sk !== undefined) {
    auth = { kind: "aksk", accessKey: entry.ak, secretKey: entry.sk, securityToken: entry.security_token };
  } else if (entry.token !== undefined) {
    auth = { kind: "token", token: entry.token };
  } else {
    const iam = entry.iam!;
    auth = {
      kind: "iam-password",
      iamEndpoint: normalizeEndpoint(iam.endpoint),
      domain: iam.domain,
      username: iam.username,
      password: iam.password,
      // Not the HUAWEICLOUD_IAM_* variables, which METASTUDIO_CONFIG refuses: what to fix on a 401.
      source: `account "${entry.name}" (iam.domain, iam.username, iam.password) in ${file}`,
      endpointSource: `account "${entry.name}" in ${file}: iam.endpoint`,
    };
  }
  return {
    name: entry.name,
    endpoint: normalizeEndpoint(entry.endpoint),
    projectIds: entry.projects,
    auth,
    appUserId: entry.app_user_id,
    rateLimitPerSecond: entry.rate_limit ?? 8,
    ...tuning,
  };
}

function loadMetaStudio(env: Env): MetaStudioConfig {
  const endpoint = readUrl(env, "METASTUDIO_ENDPOINT", ["http:", "https:"], { endpoint: true });
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
    endpoint: normalizeEndpoint(endpoint),
    projectIds,
    auth: loadAuth(env),
    appUserId: checkHeaderValue("METASTUDIO_APP_USER_ID", readEnv(env, "METASTUDIO_APP_USER_ID")),
    rateLimitPerSecond: readNumber(env, "METASTUDIO_RATE_LIMIT", 8, { min: 0.1, max: 10_000 }),
    ...loadTuning(env),
  };
}

function loadAuth(env: Env): AuthConfig {
  const accessKey = checkHeaderValue("HUAWEICLOUD_SDK_AK", readEnv(env, "HUAWEICLOUD_SDK_AK"));
  const secretKey = checkCredential("HUAWEICLOUD_SDK_SK", readEnv(env, "HUAWEICLOUD_SDK_SK"));
  if (accessKey !== undefined || secretKey !== undefined) {
    if (accessKey === undefined)
      throw new ConfigError("HUAWEICLOUD_SDK_SK is set but HUAWEICLOUD_SDK_AK is not.");
    if (secretKey === undefined)
      throw new ConfigError("HUAWEICLOUD_SDK_AK is set but HUAWEICLOUD_SDK_SK is not.");
    return {
      kind: "aksk",
      accessKey,
      secretKey,
      securityToken: checkHeaderValue(
        "HUAWEICLOUD_SDK_SECURITY_TOKEN",
        readEnv(env, "HUAWEICLOUD_SDK_SECURITY_TOKEN"),
      ),
    };
  }
  const token = checkHeaderValue("METASTUDIO_AUTH_TOKEN", readEnv(env, "METASTUDIO_AUTH_TOKEN"));
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
    const iamEndpoint =
      readUrl(env, "HUAWEICLOUD_IAM_ENDPOINT", ["http:", "https:"], { endpoint: true }) ?? "";
    const [, domain = "", username = "", password = ""] = iam;
    return { kind: "iam-password", iamEndpoint: normalizeEndpoint(iamEndpoint), domain, username, password };
  }
  throw new ConfigError(
    "No MetaStudio credentials: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (AK/SK signing), " +
      "or METASTUDIO_AUTH_TOKEN (an IAM token), or HUAWEICLOUD_IAM_ENDPOINT, HUAWEICLOUD_IAM_DOMAIN, " +
      "HUAWEICLOUD_IAM_USERNAME and HUAWEICLOUD_IAM_PASSWORD (tokens obtained and renewed from a password).",
  );
}

const upstream = `
  METASTUDIO_CONFIG              YAML or JSON file of accounts (name, endpoint, projects, credential,
                                 rate_limit); replaces the single-account variables below
  METASTUDIO_ENDPOINT            base URL, e.g. https://metastudio.cn-north-4.myhuaweicloud.com (required)
  METASTUDIO_PROJECT_IDS         comma-separated project IDs to mirror (required)
  HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK
                                 AK/SK request signing
  HUAWEICLOUD_SDK_SECURITY_TOKEN security token of a temporary AK/SK (X-Security-Token)
  METASTUDIO_AUTH_TOKEN          a ready IAM token, sent as X-Auth-Token
  HUAWEICLOUD_IAM_ENDPOINT, HUAWEICLOUD_IAM_DOMAIN, HUAWEICLOUD_IAM_USERNAME, HUAWEICLOUD_IAM_PASSWORD
                                 obtain and renew project-scoped IAM tokens from a password
  METASTUDIO_APP_USER_ID         optional X-App-UserId header
  METASTUDIO_RATE_LIMIT          upstream requests per second for the whole account (default 8)
  METASTUDIO_PAGE_CONCURRENCY    pages in flight per project run (default 8)
  METASTUDIO_REQUEST_TIMEOUT_MS  deadline per request (default 30000)
  METASTUDIO_MAX_ATTEMPTS        tries per request for retryable failures (default 6)
  METASTUDIO_MAX_RETRY_AFTER_SECONDS
                                 longest Retry-After honoured, by every wait and hold (default 60)
  METASTUDIO_MAX_BODY_BYTES      largest response body read from MetaStudio or IAM (default 33554432)`;

const database = `
  DATABASE_URL                   Postgres; unset: the embedded database in METASTUDIO_SYNC_DATA_DIR
  METASTUDIO_SYNC_DATA_DIR       embedded database directory (default ./.metastudio-sync/pgdata)`;

const sync = `
  SYNC_LOOKBACK_SECONDS          how far before the watermark incremental runs start (default 3600)
  SYNC_MASS_DELETE_THRESHOLD     share of live rooms a full run may delete before refusing (default 0.2)
  METASTUDIO_CLOCK_SKEW_SECONDS  how far the upstream's clock may be off ours before a run warns (default 300)
  SYNC_RUN_REQUESTS, SYNC_RUN_REQUESTS_PER_PAGE
                                 requests one run may make: a base, plus this many per 100 rooms the
                                 upstream reported (default 500, 10)
  SYNC_RUN_SECONDS, SYNC_RUN_SECONDS_PER_PAGE
                                 wall time one run may take, the same way (default 600, 2)`;

const worker = `
  REDIS_URL                      Redis for the job queue (required)
  QUEUE_PREFIX                   BullMQ key prefix; the same for every worker, resync and status (default bull)
  SYNC_INCREMENTAL_EVERY         incremental schedule: interval (30s, 5m, 1h) or cron (default 5m)
  SYNC_FULL_EVERY                full reconcile schedule: interval or cron (default 1d)
  WORKER_CONCURRENCY             projects synced at once by one worker process (default 4)
  DATABASE_POOL_SIZE             the worker's Postgres connections at most (default 6 x WORKER_CONCURRENCY + 3;
                                 at least WORKER_CONCURRENCY + 3)
  ADMIN_HOST, ADMIN_PORT         admin HTTP server bind address (default 127.0.0.1) and port (default 9464)
  ADMIN_TOKEN                    bearer token for /resync and /admin/queues (required to bind beyond loopback)
  HOUSEKEEPING_REQUESTS_DAYS, HOUSEKEEPING_RUNS_DAYS, HOUSEKEEPING_SCRATCH_DAYS, HOUSEKEEPING_CHANGES_DAYS
                                 retention (default 90, 365, 2, changes kept unless set)
  HOUSEKEEPING_EVERY_HOURS       hours between housekeeping passes, 0 for none (default 6)
  HOUSEKEEPING_BATCH_SIZE        rows per housekeeping delete statement (default 5000)`;

const common = `
  LOG_LEVEL                      fatal, error, warn, info (default), debug, trace or silent
  LOG_FORMAT                     json or pretty (default: pretty on a terminal, json otherwise and for the worker)
Every secret may be given as NAME_FILE instead: the path of a file holding it.`;

const section = (body: string) => `\nEnvironment:${body}${common}\n`;

/** The environment each command reads, for its `--help`. */
export const ENV_HELP = {
  sync: section(upstream + database + sync),
  worker: section(upstream + database + sync + worker),
  resync: section(
    `\n  METASTUDIO_PROJECT_IDS         the projects --all enqueues, and those --project may name\n  REDIS_URL                      Redis for the job queue (required)\n  QUEUE_PREFIX                   BullMQ key prefix (default bull)`,
  ),
  migrate: section(database),
  changes: section(database),
  status: section(
    `\n  METASTUDIO_PROJECT_IDS         projects to report (default: every project with runs)\n  METASTUDIO_CONFIG              or the accounts file whose projects to report (only their IDs are read)${database}\n  REDIS_URL                      when set, queue state is reported too\n  QUEUE_PREFIX                   BullMQ key prefix (default bull)`,
  ),
  simulator: section(`
  METASTUDIO_PROJECT_IDS         projects the simulator serves (required)
  HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, METASTUDIO_AUTH_TOKEN,
  HUAWEICLOUD_IAM_DOMAIN, HUAWEICLOUD_IAM_USERNAME, HUAWEICLOUD_IAM_PASSWORD
                                 the credentials it accepts: the same variables the client reads`),
};

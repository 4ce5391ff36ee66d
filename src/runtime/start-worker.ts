import type { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";

import { accountOf, allProjectIds, type Config } from "../config/config.js";
import { scheduleHousekeeping, type HousekeepingRecorder } from "../housekeeping/run-housekeeping.js";
import { ErrorLogThrottle } from "../log-throttle.js";
import type { Logger } from "../logger.js";
import { createRedisRateLimiter } from "../metastudio/rate-limiter.js";
import { accountKey } from "../queue/account-key.js";
import { checkRedis } from "../queue/check-redis.js";
import { connectRedis } from "../queue/connect-redis.js";
import { ProjectClaims } from "../queue/project-claims.js";
import { requireRedisUrl } from "../queue/queue-prefix.js";
import type { SyncJobResult } from "../queue/sync-processor.js";
import { createSyncQueue, SYNC_QUEUE_NAME, type SyncJobData } from "../queue/sync-queue.js";
import { createSyncWorker } from "../queue/sync-worker.js";
import { boundedClose } from "./bounded-close.js";
import { checkConnectionBudget } from "./connection-budget.js";
import { quitRedis } from "./quit-redis.js";
import { registerProjects } from "./register-projects.js";
import { ShutdownSteps } from "./shutdown-steps.js";
import { openSyncRuntime, type SyncRuntime } from "./sync-runtime.js";
import type { WorkerObservability } from "./worker-observability.js";
import { workerPoolSize } from "./worker-pool-size.js";
import { workerProcessor } from "./worker-processor.js";

export interface StartWorkerOptions {
  config: Config;
  logger: Logger;
  /** BullMQ key prefix, shared by every worker and `resync` of a deployment. @default "bull" */
  prefix?: string;
  /** Time running jobs get to finish after a shutdown begins before they are aborted. @default 25000 */
  shutdownTimeoutMs?: number;
  /**
   * Time after `shutdownTimeoutMs` for aborted jobs to checkpoint and for Redis, Postgres and the
   * admin server to close. Then the connections are dropped and whatever still has not closed is
   * abandoned (and logged), so a Redis that refuses the worker cannot keep it from exiting.
   * @default 10000
   */
  closeTimeoutMs?: number;
  /** How often a repeating Redis or worker error is logged again, with its count. @default 60000 */
  errorLogIntervalMs?: number;
  /**
   * How long a job's lock lasts without renewal (renewed every half of it). A worker that dies
   * holds its jobs this long before another worker's stalled check takes them over.
   * @default 30000
   */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker died. @default 30000 */
  stalledIntervalMs?: number;
  /** Store the schedulers of the configured projects. @default true */
  schedule?: boolean;
  /** @see SyncProcessorOptions.busyRetryMs @default 15000 */
  busyRetryMs?: number;
  /** @see SyncProcessorOptions.throttleHoldMs @default 30000 */
  throttleHoldMs?: number;
  /** @see SyncProcessorOptions.handBackMs @default 3000 */
  handBackMs?: number;
  /** Metrics and the admin server, built around the queue once it is open. @default none */
  observability?: (queue: Queue<SyncJobData>) => WorkerObservability;
}

export interface RunningWorker {
  worker: Worker<SyncJobData, SyncJobResult>;
  queue: Queue<SyncJobData>;
  adminUrl: string | undefined;
  /**
   * Stops taking jobs, lets running ones finish (aborting them after `shutdownTimeoutMs`, so
   * they checkpoint and go back to the queue), then closes Redis and Postgres. Resolves within
   * `shutdownTimeoutMs + closeTimeoutMs` and 2 s (DROP_WAIT_MS) whatever Redis does (see
   * boundedClose). Idempotent; a call with `now` during a shutdown hurries it.
   * @param now abort running jobs and drop the connections at once: no grace period
   */
  close(now?: boolean): Promise<void>;
}

/** How a start is going: what it was asked, and what to close should it fail. */
interface Start {
  options: StartWorkerOptions;
  redisUrl: string;
  prefix: string;
  steps: ShutdownSteps;
  errors: ErrorLogThrottle;
}

/** What the worker has open before it takes jobs, each also a step of the shutdown. */
interface Opened {
  redis: Redis;
  queue: Queue<SyncJobData>;
  observability: WorkerObservability;
  runtime: SyncRuntime;
  claims: ProjectClaims;
}

/**
 * Opens everything the long-running worker needs, cheapest failure first (Redis, then the
 * database and its migrations), stores the schedulers and starts processing.
 */
export async function startWorker(options: StartWorkerOptions): Promise<RunningWorker> {
  const { config, logger } = options;
  const redisUrl = requireRedisUrl(config.redisUrl, "worker");
  const start: Start = {
    options,
    redisUrl,
    prefix: options.prefix ?? "bull",
    steps: new ShutdownSteps(logger),
    // Every reconnection attempt fails the same way while Redis refuses; see ErrorLogThrottle.
    errors: new ErrorLogThrottle(logger, { intervalMs: options.errorLogIntervalMs }),
  };
  try {
    return await startProcessing(start, await openServices(start));
  } catch (error) {
    await start.steps.closeAll();
    start.errors.flush();
    throw error;
  }
}

/** Redis, the queue, the database, the project claims and housekeeping; then the projects. */
async function openServices(start: Start): Promise<Opened> {
  const { options, steps, prefix } = start;
  const { config, logger } = options;
  // A bad REDIS_URL fails the start in seconds; the long-lived connections below reconnect
  // forever, so a Redis restart is a pause, not the end of the worker.
  const probe = await connectRedis(start.redisUrl);
  try {
    await checkRedis(probe, logger);
  } finally {
    probe.disconnect();
  }
  const redis = new Redis(start.redisUrl);
  redis.on("error", (error) => start.errors.warn(error, "redis connection error"));
  steps.add("redis connection", () => quitRedis(redis));

  const queue = createSyncQueue({ connection: redis, prefix });
  queue.on("error", (error) => start.errors.warn(error, "queue error"));
  steps.add("queue", () => queue.close());
  // Ready before anything else may fail the start (a database that refuses connections, say):
  // BullMQ's close of a queue whose shared connection is still initializing drops its listeners,
  // and the pending initialization then fails with nobody listening, which crashed the process
  // with a stack trace after the start's own clear error.
  await queue.waitUntilReady();
  const observability = options.observability?.(queue) ?? {};
  const runtime = await openWorkerRuntime(start, redis, observability.recorder);
  steps.add("database", () => runtime.close());
  await checkConnectionBudget(runtime.database, logger);

  // Claimed before any job is taken, renewed while running: another deployment's workers on
  // this queue hand our jobs back instead of failing them.
  const projectIds = allProjectIds(config.accounts);
  const claims = new ProjectClaims(redis, prefix);
  await claims.claim(projectIds);
  steps.add("claim renewal", renewClaims(claims, projectIds, logger));

  const recorder = observability.recorder;
  const stopHousekeeping = scheduleHousekeeping(runtime.database, config.housekeeping, {
    logger: logger.child({ component: "housekeeping" }),
    recorder:
      recorder?.recordPruned && recorder.recordHousekeeping ? (recorder as HousekeepingRecorder) : undefined,
  });
  steps.add("housekeeping", stopHousekeeping);

  await registerProjects(runtime.database.db, queue, { config, logger, schedule: options.schedule ?? true });
  return { redis, queue, observability, runtime, claims };
}

/**
 * The database (a pool of DATABASE_POOL_SIZE, or sized by workerPoolSize) and the upstream clients,
 * limited through Redis.
 */
function openWorkerRuntime(
  start: Start,
  redis: Redis,
  recorder: WorkerObservability["recorder"],
): Promise<SyncRuntime> {
  const { config, logger } = start.options;
  const fits = workerPoolSize(config.sync.workerConcurrency);
  if (config.sync.databasePoolSize !== undefined && config.sync.databasePoolSize < fits) {
    logger.warn(
      { pool_size: config.sync.databasePoolSize, runs_use: fits },
      "DATABASE_POOL_SIZE is below what WORKER_CONCURRENCY runs use at once; their writes will take turns",
    );
  }
  return openSyncRuntime(config, logger, {
    // One limiter per account, shared by every worker through Redis (see accountKey).
    rateLimiter: (account) =>
      createRedisRateLimiter(
        redis,
        account.rateLimitPerSecond,
        `${start.prefix}:${SYNC_QUEUE_NAME}:upstream-rate:${accountKey(account)}`,
        account.maxRetryAfterMs,
      ),
    poolSize: config.sync.databasePoolSize ?? workerPoolSize(config.sync.workerConcurrency),
    onRequest: recorder?.recordRequest?.bind(recorder),
  });
}

/** Renews the claims every 10 minutes, well within their hour; returns the stop. */
function renewClaims(claims: ProjectClaims, projectIds: string[], logger: Logger): () => Promise<void> {
  const timer = setInterval(() => {
    claims
      .claim(projectIds)
      .catch((error: unknown) => logger.warn({ err: error }, "could not renew project claims"));
  }, 600_000);
  timer.unref();
  return () => Promise.resolve(clearInterval(timer));
}

/** The BullMQ worker on a connection of its own, then the admin server; then the jobs. */
async function startProcessing(start: Start, opened: Opened): Promise<RunningWorker> {
  const { options, steps } = start;
  const { config, logger } = options;
  const recorder = opened.observability.recorder;
  // BullMQ requires this for the worker: its blocking fetch must wait out a Redis blip rather
  // than fail after some retries and leave the worker idle.
  const workerRedis = new Redis(start.redisUrl, { maxRetriesPerRequest: null });
  workerRedis.on("error", (error) => start.errors.warn(error, "redis connection error (worker)"));
  steps.add("worker redis connection", () => quitRedis(workerRedis));
  const processor = workerProcessor(config, logger, { ...opened, prefix: start.prefix, recorder }, options);
  const running = createSyncWorker(processor, {
    connection: workerRedis,
    prefix: start.prefix,
    concurrency: config.sync.workerConcurrency,
    lockDurationMs: options.lockDurationMs,
    stalledIntervalMs: options.stalledIntervalMs,
    logger,
    errors: start.errors,
  });
  steps.add("worker", () => running.close());

  const adminUrl = await startAdmin(start, opened);
  running.run().catch((error: unknown) => logger.error({ err: error }, "worker stopped processing"));
  await running.waitUntilReady();
  logger.info(
    {
      concurrency: config.sync.workerConcurrency,
      accounts: config.accounts.map((a) => a.name),
      projects: allProjectIds(config.accounts).length,
      admin: adminUrl,
    },
    "worker started",
  );
  const close = boundedClose({
    worker: running,
    steps,
    connections: [opened.redis, workerRedis],
    errors: start.errors,
    logger,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 25_000,
    closeTimeoutMs: options.closeTimeoutMs ?? 10_000,
  });
  return { worker: running, queue: opened.queue, adminUrl, close };
}

/** The admin server, when the CLI wired one in; its URL. */
async function startAdmin(start: Start, opened: Opened): Promise<string | undefined> {
  const { config, logger } = start.options;
  if (!opened.observability.startAdmin) return undefined;
  const admin = await opened.observability.startAdmin({
    queue: opened.queue,
    database: opened.runtime.database,
    redis: opened.redis,
    projectIds: allProjectIds(config.accounts),
    accountOf: (projectId) => accountOf(config.accounts, projectId)?.name,
    logger,
  });
  start.steps.add("admin server", () => admin.close());
  return admin.url;
}

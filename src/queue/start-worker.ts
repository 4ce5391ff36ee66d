import { hostname } from "node:os";

import { Worker, type Queue } from "bullmq";
import { Redis } from "ioredis";

import { accountOf, allProjectIds, type Config } from "../config/config.js";
import type { Database } from "../db/database.js";
import { retireProjectsExcept, upsertSyncProjects } from "../db/sync-projects.js";
import { scheduleHousekeeping, type HousekeepingRecorder } from "../housekeeping/run-housekeeping.js";
import { ErrorLogThrottle } from "../log-throttle.js";
import type { Logger } from "../logger.js";
import type { RequestRecord } from "../metastudio/metastudio-client.js";
import { createRedisRateLimiter } from "../metastudio/rate-limiter.js";
import { openSyncRuntime } from "../sync/sync-runtime.js";
import { AccountHolds } from "./account-holds.js";
import { accountKey } from "./account-key.js";
import { checkRedis } from "./check-redis.js";
import { connectRedis } from "./connect-redis.js";
import { ProjectClaims } from "./project-claims.js";
import { requireRedisUrl } from "./queue-prefix.js";
import { scheduleProjects } from "./schedule-projects.js";
import { ShutdownSteps } from "./shutdown-steps.js";
import { createSyncProcessor, type RunRecorder, type SyncJobResult } from "./sync-processor.js";
import { createSyncQueue, SYNC_QUEUE_NAME, type SyncJobData } from "./sync-queue.js";

/** What the worker hands the admin HTTP server (src/http) when it starts one. */
export interface AdminContext {
  queue: Queue<SyncJobData>;
  database: Database;
  redis: Redis;
  projectIds: string[];
  /** Each configured project's account name. */
  accountOf(projectId: string): string | undefined;
  logger: Logger;
}

/**
 * The seam to the admin server and its metrics, which live in src/http: the worker runs (and is
 * tested) without them, and the CLI wires them in.
 */
export interface WorkerObservability {
  /** Run outcomes and every upstream request. */
  recorder?: RunRecorder & { recordRequest?(record: RequestRecord): void } & Partial<HousekeepingRecorder>;
  /** Starts the admin server once the queue and the database are open. */
  startAdmin?(context: AdminContext): Promise<{ url: string; close(): Promise<void> }>;
}

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
   * `shutdownTimeoutMs + closeTimeoutMs` and 2 s (DROP_WAIT_MS) whatever Redis does. Idempotent;
   * a call with `now` during a shutdown hurries it.
   * @param now abort running jobs and drop the connections at once: no grace period
   */
  close(now?: boolean): Promise<void>;
}

/**
 * After the connections are dropped, how long the steps still closing get to notice (a command
 * waiting on Redis fails at once then) before they are abandoned.
 */
const DROP_WAIT_MS = 2000;

/**
 * Opens everything the long-running worker needs, cheapest failure first (Redis, then the
 * database and its migrations), stores the schedulers and starts processing.
 */
export async function startWorker(options: StartWorkerOptions): Promise<RunningWorker> {
  const { config, logger } = options;
  const redisUrl = requireRedisUrl(config.redisUrl, "worker");
  const prefix = options.prefix ?? "bull";
  const steps = new ShutdownSteps(logger);
  // Every reconnection attempt fails the same way while Redis refuses; see ErrorLogThrottle.
  const errors = new ErrorLogThrottle(logger, { intervalMs: options.errorLogIntervalMs });
  try {
    // A bad REDIS_URL fails the start in seconds; the long-lived connections below reconnect
    // forever, so a Redis restart is a pause, not the end of the worker.
    const probe = await connectRedis(redisUrl);
    try {
      await checkRedis(probe, logger);
    } finally {
      probe.disconnect();
    }
    const redis = new Redis(redisUrl);
    redis.on("error", (error) => errors.warn(error, "redis connection error"));
    steps.add("redis connection", () => quit(redis));

    const queue = createSyncQueue({ connection: redis, prefix });
    queue.on("error", (error) => errors.warn(error, "queue error"));
    steps.add("queue", () => queue.close());
    const observability = options.observability?.(queue) ?? {};
    const recorder = observability.recorder;

    const projectIds = allProjectIds(config.accounts);
    const accountName = (projectId: string) => accountOf(config.accounts, projectId)?.name;
    const runtime = await openSyncRuntime(config, logger, {
      // One limiter per account, shared by every worker through Redis (see accountKey).
      rateLimiter: (account) =>
        createRedisRateLimiter(
          redis,
          account.rateLimitPerSecond,
          `${prefix}:${SYNC_QUEUE_NAME}:upstream-rate:${accountKey(account)}`,
          account.maxRetryAfterMs,
        ),
      // Each run holds one connection for its project lock and borrows others to write.
      poolSize: config.sync.workerConcurrency * 2 + 2,
      onRequest: recorder?.recordRequest?.bind(recorder),
    });
    steps.add("database", () => runtime.close());

    // Claimed before any job is taken, renewed while running: another deployment's workers on
    // this queue hand our jobs back instead of failing them.
    const claims = new ProjectClaims(redis, prefix);
    await claims.claim(projectIds);
    const renewClaims = setInterval(() => {
      claims
        .claim(projectIds)
        .catch((error: unknown) => logger.warn({ err: error }, "could not renew project claims"));
    }, 600_000);
    renewClaims.unref();
    steps.add("claim renewal", () => Promise.resolve(clearInterval(renewClaims)));

    const stopHousekeeping = scheduleHousekeeping(runtime.database, config.housekeeping, {
      logger: logger.child({ component: "housekeeping" }),
      recorder:
        recorder?.recordPruned && recorder.recordHousekeeping
          ? (recorder as HousekeepingRecorder)
          : undefined,
    });
    steps.add("housekeeping", stopHousekeeping);

    const now = new Date();
    await upsertSyncProjects(
      runtime.database.db,
      config.accounts.flatMap((a) =>
        a.projectIds.map((projectId) => ({ projectId, account: a.name, endpoint: a.endpoint })),
      ),
      now,
    );
    if (options.schedule ?? true) {
      const result = await scheduleProjects(queue, {
        projectIds,
        accountOf: accountName,
        retired: await retireProjectsExcept(runtime.database.db, projectIds, now),
        incrementalEvery: config.sync.incrementalEvery,
        fullEvery: config.sync.fullEvery,
      });
      logger.info(
        { schedulers: result.upserted.length, removed: result.removed },
        "schedules stored for the configured projects",
      );
    }

    // BullMQ requires this for the worker: its blocking fetch must wait out a Redis blip rather
    // than fail after some retries and leave the worker idle.
    const workerRedis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    workerRedis.on("error", (error) => errors.warn(error, "redis connection error (worker)"));
    steps.add("worker redis connection", () => quit(workerRedis));
    const keys = new Map(config.accounts.map((a) => [a.name, accountKey(a)]));
    const processor = createSyncProcessor({
      syncDeps: (extra) =>
        runtime.deps({ ...extra, onClockOffset: (id, offset) => recorder?.recordClockOffset?.(id, offset) }),
      logger,
      accountOf: (projectId) => {
        const name = accountName(projectId);
        return name === undefined ? undefined : { name, key: keys.get(name)! };
      },
      holds: new AccountHolds(redis, prefix, config.accounts[0]?.maxRetryAfterMs),
      claims,
      recorder,
      busyRetryMs: options.busyRetryMs,
      throttleHoldMs: options.throttleHoldMs,
      maxThrottleHoldMs: config.accounts[0]?.maxRetryAfterMs,
      handBackMs: options.handBackMs,
    });
    const running = new Worker<SyncJobData, SyncJobResult>(SYNC_QUEUE_NAME, processor, {
      connection: workerRedis,
      prefix,
      // Stored on each job as `processedBy`: which replica ran it, on the board and in Redis.
      name: `${hostname()}:${process.pid}`,
      concurrency: config.sync.workerConcurrency,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      // A deploy can kill a worker mid-run once more than usual; a job that kills every
      // worker that takes it (out of memory) should fail rather than go round forever.
      maxStalledCount: 2,
      // Started once everything else is up: a start that fails must not have taken jobs.
      autorun: false,
    });
    steps.add("worker", () => running.close());
    running.on("error", (error) => errors.error(error, "worker error"));
    running.on("stalled", (jobId) =>
      logger.warn({ job_id: jobId }, "job stalled: its worker died; retaking it"),
    );
    running.on("failed", (job, error) => {
      if (job) logger.warn({ job_id: job.id, attempts: job.attemptsMade, err: error }, "sync job failed");
    });

    let adminUrl: string | undefined;
    if (observability.startAdmin) {
      const admin = await observability.startAdmin({
        queue,
        database: runtime.database,
        redis,
        projectIds,
        accountOf: accountName,
        logger,
      });
      adminUrl = admin.url;
      steps.add("admin server", () => admin.close());
    }
    running.run().catch((error: unknown) => logger.error({ err: error }, "worker stopped processing"));
    await running.waitUntilReady();
    logger.info(
      {
        concurrency: config.sync.workerConcurrency,
        accounts: config.accounts.map((a) => a.name),
        projects: projectIds.length,
        admin: adminUrl,
      },
      "worker started",
    );

    const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 25_000;
    const closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
    let hurry!: (reason: string) => void;
    const hurried = new Promise<string>((resolve) => (hurry = resolve));
    const shutDown = async (): Promise<void> => {
      logger.info({ grace_ms: shutdownTimeoutMs }, "worker stopping: finishing running jobs");
      const abort = setTimeout(() => {
        logger.warn("running jobs did not finish in time; aborting them (they resume elsewhere)");
        running.cancelAllJobs("shutdown");
      }, shutdownTimeoutMs);
      const deadline = setTimeout(
        () => hurry(`not closed within ${shutdownTimeoutMs + closeTimeoutMs} ms`),
        shutdownTimeoutMs + closeTimeoutMs,
      );
      try {
        const closed = (async () => {
          // The worker first, while the admin server still answers health checks and metrics.
          await steps.closeFirst("worker");
          await steps.closeAll();
        })();
        const reason = await Promise.race([closed.then(() => undefined), hurried]);
        if (reason === undefined) {
          errors.flush();
          logger.info("worker stopped");
          return;
        }
        // BullMQ's close cannot be hurried once begun (close(true) returns the same promise), and
        // it waits on Redis for jobs and for its connections: dropping them fails what waits.
        clearTimeout(abort);
        running.cancelAllJobs("shutdown");
        redis.disconnect();
        workerRedis.disconnect();
        const abandoned = await steps.abandon(DROP_WAIT_MS);
        errors.flush();
        logger.warn(
          { reason, abandoned },
          abandoned.length === 0
            ? "worker stopped after dropping its Redis connections"
            : `worker stopped without closing: ${abandoned.join(", ")}`,
        );
      } finally {
        clearTimeout(abort);
        clearTimeout(deadline);
      }
    };
    let closing: Promise<void> | undefined;
    return {
      worker: running,
      queue,
      adminUrl,
      close: (now = false) => {
        if (now && closing === undefined) {
          // Before the shutdown starts it: BullMQ's forced close does not wait for running jobs.
          running.close(true).catch((error: unknown) => logger.warn({ err: error }, "worker close failed"));
        }
        closing ??= shutDown();
        if (now) hurry("asked to stop now");
        return closing;
      },
    };
  } catch (error) {
    await steps.closeAll();
    errors.flush();
    throw error;
  }
}

/** QUIT waits for Redis to answer; a connection that is down is simply dropped. */
async function quit(redis: Redis): Promise<void> {
  if (redis.status !== "ready") {
    redis.disconnect();
    return;
  }
  await redis.quit().catch(() => redis.disconnect());
}

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { Queue } from "bullmq";
import { sql } from "drizzle-orm";
import { Redis } from "ioredis";

import { queryRows } from "../../src/db/query-rows.js";
import { enqueueSync } from "../../src/queue/enqueue-sync.js";
import type { CompletedSync } from "../../src/queue/sync-processor.js";
import { createSyncQueue, type SyncJobData } from "../../src/queue/sync-queue.js";
import { onCleanup } from "./cleanup-registry.js";
import type { Drill, DrillContext, DrillResult } from "./drill.js";
import { DRILL_TOKEN, DrillSubject } from "./drill-subject.js";
import { crashPostgres } from "./postgres-outage.js";
import { startThrowawayRedis, type ThrowawayRedis } from "./throwaway-redis.js";
import { startWorkerChild, type WorkerChild } from "./worker-child.js";

const PREFIX = "drill";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Everything one worker cut needs: a project, its queue, and where worker processes log. */
interface Stage {
  subject: DrillSubject;
  queue: Queue<SyncJobData>;
  /** Pages a full run reads, from an in-process dry run. */
  pages: number;
  /** Simulator requests before the worker's run. */
  baseline: number;
  startWorker(): Promise<WorkerChild>;
  say(line: string): void;
}

/**
 * Drill 4: worker processes (scripts/drill/worker-process.ts, i.e. `startWorker`) over a Redis
 * of their own. 4a: the worker running a full sync is SIGKILLed halfway, a second worker must
 * take the job over and finish it. 4b: Redis is killed halfway through a worker's full sync and
 * restarted 2 s later; the job must still complete. 4c: Postgres crashes under a worker's full
 * sync; the worker process must survive and its job's retry finish the run. All end exact.
 */
export const workerDrill: Drill = {
  name: "worker",
  async run(context) {
    const redis = await startThrowawayRedis();
    // Worker logs are kept only where DRILL_LOG_DIR asks; otherwise they go with the temp dir.
    const logDir = process.env.DRILL_LOG_DIR ?? mkdtempSync(join(tmpdir(), "msync-drill-logs-"));
    const removeLogs = process.env.DRILL_LOG_DIR
      ? () => {}
      : onCleanup(() => rmSync(logDir, { recursive: true, force: true }));
    context.say(`throwaway Redis on 127.0.0.1:${redis.port} (AOF, fsync always); worker logs in ${logDir}`);
    try {
      return [
        await killedWorker(context, redis, logDir),
        await restartedRedis(context, redis, logDir),
        await restartedPostgres(context, redis, logDir),
      ];
    } finally {
      redis.destroy();
      removeLogs();
    }
  },
};

async function killedWorker(
  context: DrillContext,
  redis: ThrowawayRedis,
  logDir: string,
): Promise<DrillResult> {
  return withStage(context, redis, logDir, "4a", "worker_kill", "20", async (stage) => {
    const first = await stage.startWorker();
    const { jobId } = await enqueueSync(stage.queue, { projectId: stage.subject.projectId, mode: "full" });
    const at = await waitForPages(stage, Math.ceil(stage.pages / 2));
    first.kill("SIGKILL");
    await first.exited;
    stage.say(`worker ${first.pid} SIGKILLed after ${at} of ~${stage.pages} pages; starting another`);
    const killedAt = performance.now();
    const second = await stage.startWorker();
    try {
      const outcome = await waitForJob(stage.queue, jobId, 90_000);
      const tookOver = ((performance.now() - killedAt) / 1000).toFixed(1);
      const problems = outcome.problems;
      const result = outcome.result;
      if (result && !result.resumedFrom)
        problems.push("the second worker's run did not resume the killed one");
      stage.say(
        `job ${outcome.state} ${tookOver} s after the kill, ${result?.counts.requests ?? 0} requests`,
      );
      return {
        did: `worker SIGKILLed at page ${at}/~${stage.pages}; a 2nd worker finished the job ${tookOver} s later`,
        problems,
      };
    } finally {
      await stop(second);
    }
  });
}

async function restartedRedis(
  context: DrillContext,
  redis: ThrowawayRedis,
  logDir: string,
): Promise<DrillResult> {
  return withStage(context, redis, logDir, "4b", "worker_redis", "10", async (stage) => {
    const worker = await stage.startWorker();
    try {
      const { jobId } = await enqueueSync(stage.queue, { projectId: stage.subject.projectId, mode: "full" });
      const at = await waitForPages(stage, Math.ceil(stage.pages / 2));
      await redis.kill();
      await sleep(2000);
      await redis.start();
      stage.say(`Redis killed after ${at} of ~${stage.pages} pages, restarted 2 s later`);
      const started = performance.now();
      const outcome = await waitForJob(stage.queue, jobId, 120_000);
      const after = ((performance.now() - started) / 1000).toFixed(1);
      const runs = await runCounts(stage.subject);
      stage.say(
        `job ${outcome.state} ${after} s after the restart, after ${runs.succeeded + runs.failed} runs ` +
          `(a job whose lock lapsed during the outage is retaken; the project lock serialises the runs)`,
      );
      return {
        did:
          `Redis SIGKILLed at page ${at}/~${stage.pages} of a worker's run, back 2 s later; ` +
          `job ${outcome.state} ${after} s after, in ${runs.succeeded + runs.failed} runs`,
        problems: outcome.problems,
      };
    } finally {
      await stop(worker);
    }
  });
}

async function restartedPostgres(
  context: DrillContext,
  redis: ThrowawayRedis,
  logDir: string,
): Promise<DrillResult> {
  return withStage(context, redis, logDir, "4c", "worker_pg", "20", async (stage) => {
    const worker = await stage.startWorker();
    try {
      const { jobId } = await enqueueSync(stage.queue, { projectId: stage.subject.projectId, mode: "full" });
      const at = await waitForPages(stage, Math.ceil(stage.pages / 2));
      await crashPostgres(context.postgres, 2000).restarted;
      stage.say(
        `Postgres crashed at page ${at}/~${stage.pages}, back 2 s later; the job retries after its backoff`,
      );
      // The first retry of a failed job waits its 30 s backoff (SYNC_JOB_OPTIONS).
      const outcome = await waitForJob(stage.queue, jobId, 90_000);
      if (worker.exitCode() !== null) outcome.problems.push("the worker process died with Postgres");
      stage.say(`job ${outcome.state} after ${outcome.attempts} attempts; the worker process stayed up`);
      return {
        did: `Postgres crashed at page ${at}/~${stage.pages} of a worker's run, back 2 s later; job ${outcome.state} on attempt ${outcome.attempts}`,
        problems: outcome.problems,
      };
    } finally {
      await stop(worker);
    }
  });
}

async function withStage(
  context: DrillContext,
  redis: ThrowawayRedis,
  logDir: string,
  key: string,
  name: string,
  ratePerSecond: string,
  cut: (stage: Stage) => Promise<{ did: string; problems: string[] }>,
): Promise<DrillResult> {
  const say = (line: string) => context.say(`${key}: ${line}`);
  const subject = await DrillSubject.open(
    { ...context, say },
    { name, rooms: context.rooms, seed: 41, behaviour: { latencyMs: 20 } },
  );
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  connection.on("error", () => {});
  const queue = createSyncQueue({ connection, prefix: `${PREFIX}-${key}` });
  queue.on("error", () => {});
  try {
    const pages = (await subject.sync({ dryRun: true })).counts.requests;
    const logFile = join(logDir, `worker-${key}.log`);
    const env = {
      DATABASE_URL: subject.databaseUrl,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: `${PREFIX}-${key}`,
      METASTUDIO_ENDPOINT: subject.sim.url,
      METASTUDIO_PROJECT_IDS: subject.projectId,
      METASTUDIO_AUTH_TOKEN: DRILL_TOKEN,
      METASTUDIO_RATE_LIMIT: ratePerSecond,
      METASTUDIO_PAGE_CONCURRENCY: "4",
      WORKER_CONCURRENCY: "2",
      LOG_LEVEL: process.env.DRILL_LOG_LEVEL ?? "info",
    };
    const stage: Stage = {
      subject,
      queue,
      pages,
      baseline: subject.requests,
      startWorker: () => startWorkerChild(env, logFile),
      say,
    };
    const { did, problems } = await cut(stage);
    problems.push(...(await subject.verify()));
    // The runs were the workers'; the table counts them from sync_runs, not this process's.
    const runs = await runCounts(subject);
    subject.runsFailed = runs.failed;
    subject.runsSucceeded = runs.succeeded;
    return subject.result(`${key} worker`, did, problems);
  } finally {
    await queue.close().catch(() => {});
    connection.disconnect();
    await subject.close();
  }
}

async function runCounts(subject: DrillSubject): Promise<{ failed: number; succeeded: number }> {
  const [runs] = await queryRows<{ failed: number; succeeded: number }>(
    subject.database.db,
    sql`select count(*) filter (where status = 'failed')::int as failed,
               count(*) filter (where status = 'succeeded')::int as succeeded
          from sync_runs where project_id = ${subject.projectId}`,
  );
  return { failed: runs?.failed ?? 0, succeeded: runs?.succeeded ?? 0 };
}

async function waitForPages(stage: Stage, pages: number): Promise<number> {
  const deadline = Date.now() + 60_000;
  while (stage.subject.requests - stage.baseline < pages) {
    if (Date.now() > deadline) throw new Error(`the worker did not read ${pages} pages within 60 s`);
    await sleep(20);
  }
  return stage.subject.requests - stage.baseline;
}

async function waitForJob(queue: Queue<SyncJobData>, jobId: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let state = "unknown";
  while (Date.now() < deadline) {
    const job = await queue.getJob(jobId).catch(() => undefined);
    state = (await job?.getState().catch(() => "unknown")) ?? "missing";
    if (state === "completed" || state === "failed") {
      const problems = state === "completed" ? [] : [`the job failed: ${job?.failedReason ?? "?"}`];
      return {
        state,
        attempts: job?.attemptsMade ?? 0,
        result: job?.returnvalue as CompletedSync | undefined,
        problems,
      };
    }
    await sleep(250);
  }
  return {
    state,
    attempts: 0,
    result: undefined,
    problems: [`the job did not finish within ${timeoutMs / 1000} s (last state: ${state})`],
  };
}

async function stop(worker: WorkerChild): Promise<void> {
  worker.kill("SIGTERM");
  const code = await Promise.race([worker.exited, sleep(10_000).then(() => "timeout" as const)]);
  if (code === "timeout") worker.kill("SIGKILL");
}

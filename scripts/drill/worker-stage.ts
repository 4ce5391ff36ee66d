import { join } from "node:path";

import type { Queue } from "bullmq";
import { sql } from "drizzle-orm";
import { Redis } from "ioredis";

import { queryRows } from "../../src/db/query-rows.js";
import type { CompletedSync } from "../../src/queue/sync-processor.js";
import { createSyncQueue, type SyncJobData } from "../../src/queue/sync-queue.js";
import type { DrillContext, DrillResult } from "./drill.js";
import { DRILL_TOKEN, DrillSubject } from "./drill-subject.js";
import type { ThrowawayRedis } from "./throwaway-redis.js";
import { startWorkerChild, type WorkerChild } from "./worker-child.js";

const PREFIX = "drill";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Everything one worker cut needs: a project, its queue, and a way to start worker processes. */
export interface WorkerStage {
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
 * Sets up one worker cut (a project with its own database and simulator, a queue under a prefix
 * of its own, the environment a worker process is started with), runs it, then checks the
 * mirror and counts the workers' runs from `sync_runs`.
 */
export async function withWorkerStage(
  context: DrillContext,
  redis: ThrowawayRedis,
  logDir: string,
  key: string,
  name: string,
  ratePerSecond: string,
  cut: (stage: WorkerStage) => Promise<{ did: string; problems: string[] }>,
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
    const stage: WorkerStage = {
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

export async function runCounts(subject: DrillSubject): Promise<{ failed: number; succeeded: number }> {
  const [runs] = await queryRows<{ failed: number; succeeded: number }>(
    subject.database.db,
    sql`select count(*) filter (where status = 'failed')::int as failed,
               count(*) filter (where status = 'succeeded')::int as succeeded
          from sync_runs where project_id = ${subject.projectId}`,
  );
  return { failed: runs?.failed ?? 0, succeeded: runs?.succeeded ?? 0 };
}

export async function waitForPages(stage: WorkerStage, pages: number): Promise<number> {
  const deadline = Date.now() + 60_000;
  while (stage.subject.requests - stage.baseline < pages) {
    if (Date.now() > deadline) throw new Error(`the worker did not read ${pages} pages within 60 s`);
    await sleep(20);
  }
  return stage.subject.requests - stage.baseline;
}

export async function waitForJob(queue: Queue<SyncJobData>, jobId: string, timeoutMs: number) {
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

export async function stopWorker(worker: WorkerChild): Promise<void> {
  worker.kill("SIGTERM");
  const code = await Promise.race([worker.exited, sleep(10_000).then(() => "timeout" as const)]);
  if (code === "timeout") worker.kill("SIGKILL");
}

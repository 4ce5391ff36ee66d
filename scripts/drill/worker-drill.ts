import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { enqueueSync } from "../../src/queue/enqueue-sync.js";
import { onCleanup } from "./cleanup-registry.js";
import type { Drill, DrillContext, DrillResult } from "./drill.js";
import { crashPostgres } from "./postgres-outage.js";
import { startThrowawayRedis, type ThrowawayRedis } from "./throwaway-redis.js";
import { runCounts, stopWorker, waitForJob, waitForPages, withWorkerStage } from "./worker-stage.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
  return withWorkerStage(context, redis, logDir, "4a", "worker_kill", "20", async (stage) => {
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
      await stopWorker(second);
    }
  });
}

async function restartedRedis(
  context: DrillContext,
  redis: ThrowawayRedis,
  logDir: string,
): Promise<DrillResult> {
  return withWorkerStage(context, redis, logDir, "4b", "worker_redis", "10", async (stage) => {
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
      await stopWorker(worker);
    }
  });
}

async function restartedPostgres(
  context: DrillContext,
  redis: ThrowawayRedis,
  logDir: string,
): Promise<DrillResult> {
  return withWorkerStage(context, redis, logDir, "4c", "worker_pg", "20", async (stage) => {
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
      await stopWorker(worker);
    }
  });
}

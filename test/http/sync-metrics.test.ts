import type { Queue } from "bullmq";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { inject } from "vitest";

import { createSyncMetrics } from "../../src/http/sync-metrics.js";
import type { RequestRecord } from "../../src/metastudio/metastudio-client.js";
import { enqueueSync } from "../../src/queue/enqueue-sync.js";
import { createSyncQueue, type SyncJobData } from "../../src/queue/sync-queue.js";
import type { RunSummary } from "../../src/sync/run-summary.js";
import { randomPrefix } from "../support/test-database.js";
import { useAdminServer } from "./admin-fixture.js";
import { parseMetrics, sampleValue, type Sample } from "./parse-metrics.js";

const shared = useAdminServer();

function request(overrides: Partial<RequestRecord>): RequestRecord {
  return {
    account: "default",
    projectId: "alpha",
    requestId: "req-1",
    status: 200,
    errorCode: undefined,
    offset: 0,
    limit: 100,
    startTime: undefined,
    endTime: undefined,
    items: 100,
    attempt: 1,
    durationMs: 120,
    requestedAt: new Date(),
    ...overrides,
  };
}

function summary(
  overrides: Omit<Partial<RunSummary>, "counts"> & { counts?: Partial<RunSummary["counts"]> },
): RunSummary {
  const { counts, ...rest } = overrides;
  return {
    runId: "00000000-0000-0000-0000-000000000000",
    projectId: "alpha",
    mode: "incremental",
    trigger: "schedule",
    status: "succeeded",
    dryRun: false,
    resumedFrom: null,
    counts: {
      requests: 3,
      roomsSeen: 10,
      roomsInserted: 0,
      roomsUpdated: 0,
      roomsUnchanged: 10,
      roomsDeleted: 0,
      itemsInvalid: 0,
      ...counts,
    },
    restored: 0,
    roomRowsWritten: 0,
    voiceRowsWritten: 0,
    durationMs: 1000,
    fetchMs: 500,
    validateMs: 20,
    writeMs: 100,
    preview: [],
    error: null,
    ...rest,
  };
}

async function scrape(): Promise<{ samples: Sample[]; contentType: string | null }> {
  const response = await fetch(`${shared.admin.url}/metrics`);
  expect(response.status).toBe(200);
  return { samples: parseMetrics(await response.text()), contentType: response.headers.get("content-type") };
}

describe("GET /metrics", () => {
  it("serves Prometheus text without a token, with the default process metrics", async () => {
    const { samples, contentType } = await scrape();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sampleValue(samples, "process_cpu_user_seconds_total")).toBeDefined();
    expect(samples.some((sample) => sample.name.startsWith("nodejs_heap_size_total_bytes"))).toBe(true);
  });

  it("counts upstream requests by status, retries, 429s and their latency", async () => {
    const { metrics } = shared.services;
    metrics.recordRequest(request({ projectId: "alpha", status: 200, durationMs: 100 }));
    metrics.recordRequest(request({ projectId: "alpha", status: 429, attempt: 1, durationMs: 20 }));
    metrics.recordRequest(request({ projectId: "alpha", status: 200, attempt: 2, durationMs: 300 }));
    metrics.recordRequest(request({ projectId: "alpha", status: undefined, attempt: 3, durationMs: 30_000 }));
    metrics.recordRequest(request({ projectId: "beta", status: 429, attempt: 2, durationMs: 10 }));
    const { samples } = await scrape();
    const total = "metastudio_sync_upstream_requests_total";
    expect(sampleValue(samples, total, { account: "default", project_id: "alpha", status: "200" })).toBe(2);
    expect(sampleValue(samples, total, { account: "default", project_id: "alpha", status: "429" })).toBe(1);
    expect(sampleValue(samples, total, { account: "default", project_id: "alpha", status: "none" })).toBe(1);
    expect(sampleValue(samples, total, { account: "default", project_id: "beta", status: "429" })).toBe(1);
    expect(
      sampleValue(samples, "metastudio_sync_upstream_retries_total", {
        account: "default",
        project_id: "alpha",
      }),
    ).toBe(2);
    expect(
      sampleValue(samples, "metastudio_sync_upstream_retries_total", {
        account: "default",
        project_id: "beta",
      }),
    ).toBe(1);
    expect(
      sampleValue(samples, "metastudio_sync_upstream_throttled_total", {
        account: "default",
        project_id: "alpha",
      }),
    ).toBe(1);
    expect(
      sampleValue(samples, "metastudio_sync_upstream_throttled_total", {
        account: "default",
        project_id: "beta",
      }),
    ).toBe(1);
    const duration = "metastudio_sync_upstream_request_duration_seconds";
    expect(sampleValue(samples, `${duration}_count`, { account: "default", project_id: "alpha" })).toBe(4);
    expect(sampleValue(samples, `${duration}_sum`, { account: "default", project_id: "alpha" })).toBeCloseTo(
      30.42,
      6,
    );
    expect(
      sampleValue(samples, `${duration}_bucket`, { account: "default", project_id: "alpha", le: "0.1" }),
    ).toBe(2);
    expect(
      sampleValue(samples, `${duration}_bucket`, { account: "default", project_id: "alpha", le: "10" }),
    ).toBe(3);
    expect(
      sampleValue(samples, `${duration}_bucket`, { account: "default", project_id: "alpha", le: "+Inf" }),
    ).toBe(4);
  });

  it("counts runs by outcome, their duration, rooms changed and the last success per project", async () => {
    const { metrics } = shared.services;
    const before = Date.now() / 1000;
    metrics.recordRun(
      summary({
        projectId: "gamma",
        mode: "full",
        durationMs: 90_000,
        counts: { roomsInserted: 7, roomsUpdated: 3, roomsDeleted: 2 },
      }),
    );
    metrics.recordRun(
      summary({ projectId: "gamma", mode: "incremental", status: "failed", counts: { roomsInserted: 1 } }),
    );
    metrics.recordRunFailure("gamma", "incremental", 2500);
    // A dry run wrote nothing, so it counts nowhere.
    metrics.recordRun(
      summary({ projectId: "gamma", mode: "full", dryRun: true, counts: { roomsInserted: 50 } }),
    );
    const { samples } = await scrape();
    const runs = "metastudio_sync_runs_total";
    expect(sampleValue(samples, runs, { project_id: "gamma", mode: "full", outcome: "succeeded" })).toBe(1);
    expect(sampleValue(samples, runs, { project_id: "gamma", mode: "incremental", outcome: "failed" })).toBe(
      2,
    );
    expect(
      sampleValue(samples, runs, { project_id: "gamma", mode: "incremental", outcome: "succeeded" }),
    ).toBe(undefined);
    const duration = "metastudio_sync_run_duration_seconds";
    const failed = { project_id: "gamma", mode: "incremental", outcome: "failed" };
    expect(
      sampleValue(samples, `${duration}_sum`, { project_id: "gamma", mode: "full", outcome: "succeeded" }),
    ).toBe(90);
    expect(sampleValue(samples, `${duration}_count`, failed)).toBe(2);
    expect(sampleValue(samples, `${duration}_sum`, failed)).toBe(3.5);
    expect(sampleValue(samples, "metastudio_sync_rooms_inserted_total", { project_id: "gamma" })).toBe(8);
    expect(sampleValue(samples, "metastudio_sync_rooms_updated_total", { project_id: "gamma" })).toBe(3);
    expect(sampleValue(samples, "metastudio_sync_rooms_deleted_total", { project_id: "gamma" })).toBe(2);
    const last = "metastudio_sync_last_success_timestamp_seconds";
    expect(sampleValue(samples, last, { project_id: "gamma", mode: "full" })).toBeGreaterThanOrEqual(
      Math.floor(before),
    );
    expect(sampleValue(samples, last, { project_id: "gamma", mode: "incremental" })).toBeUndefined();
  });

  it("reports the queue's depth by state at scrape time", async () => {
    await enqueueSync(shared.services.queue, { projectId: "alpha", mode: "incremental" });
    await enqueueSync(shared.services.queue, { projectId: "beta", mode: "full" });
    await shared.services.queue.add(
      "later",
      { projectId: "gamma", mode: "full", trigger: "manual" },
      { delay: 3_600_000 },
    );
    const { samples } = await scrape();
    expect(sampleValue(samples, "metastudio_sync_queue_jobs", { state: "waiting" })).toBe(2);
    expect(sampleValue(samples, "metastudio_sync_queue_jobs", { state: "delayed" })).toBe(1);
    expect(sampleValue(samples, "metastudio_sync_queue_jobs", { state: "active" })).toBe(0);
    expect(sampleValue(samples, "metastudio_sync_queue_jobs", { state: "failed" })).toBe(0);

    await shared.services.queue.obliterate({ force: true });
    const after = await scrape();
    expect(sampleValue(after.samples, "metastudio_sync_queue_jobs", { state: "waiting" })).toBe(0);
  });
});

describe("createSyncMetrics", () => {
  it("keeps its own registry, so two instances do not collide", async () => {
    const first = createSyncMetrics();
    const second = createSyncMetrics();
    first.recordRequest(request({}));
    const samples = parseMetrics(await second.registry.metrics());
    expect(
      sampleValue(samples, "metastudio_sync_upstream_requests_total", { project_id: "alpha", status: "200" }),
    ).toBe(undefined);
    expect(samples.some((sample) => sample.name === "metastudio_sync_queue_jobs")).toBe(false);
  });

  it("still answers a scrape when Redis is unreachable, without queue depth, counting the error", async () => {
    const connection = new Redis({
      host: "127.0.0.1",
      port: 1,
      maxRetriesPerRequest: null,
      retryStrategy: () => 100,
    });
    connection.on("error", () => {});
    const queue: Queue<SyncJobData> = createSyncQueue({ connection, prefix: randomPrefix() });
    queue.on("error", () => {});
    const metrics = createSyncMetrics({ queue, queueTimeoutMs: 200 });
    try {
      const samples = parseMetrics(await metrics.registry.metrics());
      expect(samples.some((sample) => sample.name === "metastudio_sync_queue_jobs")).toBe(false);
      expect(sampleValue(samples, "metastudio_sync_queue_scrape_errors_total")).toBe(1);
      expect(sampleValue(samples, "process_cpu_user_seconds_total")).toBeDefined();
    } finally {
      connection.disconnect();
      await queue.close().catch(() => {});
    }
  });

  it("reads the same queue from a second connection, as another worker's scrape would", async () => {
    const connection = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
    const prefix = randomPrefix();
    const queue = createSyncQueue({ connection, prefix });
    try {
      await queue.add("x", { projectId: "alpha", mode: "full", trigger: "manual" });
      const other = createSyncMetrics({ queue: createSyncQueue({ connection, prefix }) });
      const samples = parseMetrics(await other.registry.metrics());
      expect(sampleValue(samples, "metastudio_sync_queue_jobs", { state: "waiting" })).toBe(1);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      connection.disconnect();
    }
  });
});

import { Counter, Histogram, type Registry } from "prom-client";

import type { RequestRecord } from "../metastudio/metastudio-client.js";
import { METRIC_PREFIX } from "./metric-prefix.js";

/** What the upstream client reports. */
export interface UpstreamRecorder {
  /** One upstream attempt, failed ones and retries included. */
  recordRequest(record: RequestRecord): void;
}

/** The MetaStudio HTTP attempts: counts by status, durations, retries and throttling. */
export function createUpstreamMetrics(registry: Registry): UpstreamRecorder {
  const registers = [registry];
  const requests = new Counter({
    name: `${METRIC_PREFIX}upstream_requests_total`,
    help: 'MetaStudio HTTP attempts by project and status ("none" when no response came), retries included.',
    labelNames: ["account", "project_id", "status"] as const,
    registers,
  });
  const requestDuration = new Histogram({
    name: `${METRIC_PREFIX}upstream_request_duration_seconds`,
    help: "Duration of one MetaStudio HTTP attempt, connect to last byte.",
    labelNames: ["account", "project_id"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const retries = new Counter({
    name: `${METRIC_PREFIX}upstream_retries_total`,
    help: "MetaStudio HTTP attempts that were a retry (attempt > 1).",
    labelNames: ["account", "project_id"] as const,
    registers,
  });
  const throttled = new Counter({
    name: `${METRIC_PREFIX}upstream_throttled_total`,
    help: "MetaStudio answers with status 429 (throttled).",
    labelNames: ["account", "project_id"] as const,
    registers,
  });

  return {
    recordRequest(record) {
      const project = { account: record.account, project_id: record.projectId };
      requests.inc({ ...project, status: record.status === undefined ? "none" : String(record.status) });
      requestDuration.observe(project, record.durationMs / 1000);
      if (record.attempt > 1) retries.inc(project);
      if (record.status === 429) throttled.inc(project);
    },
  };
}

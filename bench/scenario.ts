/**
 * One implementation's scenarios in a process of its own, so its peak RSS is its own: a full
 * sync, a quiet re-run, then (after the parent changes 1% of the rooms upstream) an incremental
 * run. Reports one JSON message per scenario to the parent.
 */
import pg from "pg";

import { loadConfig } from "../src/config/config.js";
import { createLogger } from "../src/logger.js";
import { runSync } from "../src/sync/run-sync.js";
import { openSyncRuntime } from "../src/sync/sync-runtime.js";
import { naiveSync } from "./naive-sync.js";

export interface ScenarioResult {
  impl: "metastudio-sync" | "naive";
  scenario: "full" | "quiet" | "incremental 1%";
  wallMs: number;
  requests: number;
  roomRows: number;
  voiceRows: number;
  peakRssMb: number;
  fetchMs?: number;
  parseMs?: number;
  writeMs?: number;
}

const [impl, endpoint, projectId, token, databaseUrl] = process.argv.slice(2) as [
  ScenarioResult["impl"],
  string,
  string,
  string,
  string,
];
const send = (message: unknown) => process.send!(message);
const mutated = () => new Promise<void>((resolve) => process.once("message", () => resolve()));
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const scenarios = ["full", "quiet", "incremental 1%"] as const;

if (impl === "naive") {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  for (const scenario of scenarios) {
    if (scenario === "incremental 1%") {
      send({ type: "mutate" });
      await mutated();
    }
    const started = performance.now();
    // The hand-written script has no incremental mode: every run reads and writes everything.
    const result = await naiveSync({ endpoint, projectId, token, pool });
    send({
      type: "result",
      result: {
        impl,
        scenario,
        wallMs: performance.now() - started,
        requests: result.requests,
        roomRows: result.roomRowsWritten,
        voiceRows: result.voiceRowsWritten,
        peakRssMb: peakRssMb(),
      } satisfies ScenarioResult,
    });
  }
  await pool.end();
} else {
  const config = loadConfig({
    METASTUDIO_ENDPOINT: endpoint,
    METASTUDIO_PROJECT_IDS: projectId,
    METASTUDIO_AUTH_TOKEN: token,
    METASTUDIO_RATE_LIMIT: "10000",
    METASTUDIO_PAGE_CONCURRENCY: process.env.METASTUDIO_PAGE_CONCURRENCY ?? "",
    DATABASE_URL: databaseUrl,
  });
  const runtime = await openSyncRuntime(config, createLogger("warn"));
  let parseMs = 0;
  const client = runtime.client;
  const list = client.listSmartChatRooms.bind(client);
  client.listSmartChatRooms = async (params, options) => {
    const page = await list(params, options);
    parseMs += page.parseMs;
    return page;
  };
  for (const scenario of scenarios) {
    if (scenario === "incremental 1%") {
      send({ type: "mutate" });
      await mutated();
    }
    parseMs = 0;
    const started = performance.now();
    const summary = await runSync(runtime.deps(), {
      projectId,
      mode: scenario === "full" ? "full" : "incremental",
      trigger: "cli",
    });
    send({
      type: "result",
      result: {
        impl,
        scenario,
        wallMs: performance.now() - started,
        requests: summary.counts.requests,
        roomRows: summary.roomRowsWritten,
        voiceRows: summary.voiceRowsWritten,
        peakRssMb: peakRssMb(),
        fetchMs: summary.fetchMs,
        parseMs,
        writeMs: summary.writeMs,
      } satisfies ScenarioResult,
    });
  }
  await runtime.close();
}
process.disconnect?.();

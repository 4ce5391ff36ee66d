import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

import { createAdaptorServer } from "@hono/node-server";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";

import type { AdminConfig } from "../config/config.js";
import type { Database } from "../db/database.js";
import type { Logger } from "../logger.js";
import type { enqueueSync } from "../queue/enqueue-sync.js";
import type { SyncJobData } from "../queue/sync-queue.js";
import { createAdminApp } from "./admin-app.js";
import { assertAdminBinding } from "./assert-admin-binding.js";
import type { SyncMetrics } from "./sync-metrics.js";

export interface AdminServerOptions {
  /** Bind address, port (0 picks a free one) and token. */
  config: AdminConfig;
  metrics: SyncMetrics;
  queue: Queue<SyncJobData>;
  database: Database;
  redis: Redis;
  /** The configured projects, the only ones `POST /resync` accepts. */
  projectIds: string[];
  logger: Logger;
  /** @default enqueueSync */
  enqueue?: typeof enqueueSync;
  /** Deadline of each readiness check. @default 2000 */
  readinessTimeoutMs?: number;
  /** How long `POST /resync` waits for Redis to take a job before answering 503. @default 10000 */
  enqueueTimeoutMs?: number;
  /** How long `close()` lets requests in flight finish before it cuts their connections. @default 5000 */
  closeGraceMs?: number;
}

export interface AdminServer {
  /** Where it listens, with the real port: `http://127.0.0.1:9464`. */
  url: string;
  /** Stops accepting, lets requests in flight finish within the grace period; idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the worker's admin HTTP server: `/healthz`, `/readyz`, `/metrics`, `POST /resync` and the
 * queue board at `/admin/queues`. Refuses to listen beyond loopback without `ADMIN_TOKEN`.
 */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const { config, logger } = options;
  assertAdminBinding(config);
  const app = createAdminApp({ ...options, token: config.token });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error) =>
      reject(
        new Error(
          `Admin server cannot listen on ADMIN_HOST ${config.host} ADMIN_PORT ${config.port}: ${error.message}`,
          { cause: error },
        ),
      );
    server.once("error", fail);
    server.listen(config.port, config.host, () => {
      server.off("error", fail);
      resolve();
    });
  });
  server.on("error", (error) => logger.error({ err: error }, "admin server error"));

  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  if (config.token === undefined) {
    logger.warn("ADMIN_TOKEN is not set: POST /resync and /admin/queues answer 403 until it is");
  }
  logger.info({ url }, "admin server listening");

  let closing: Promise<void> | undefined;
  return {
    url,
    close: () => (closing ??= closeServer(server, options.closeGraceMs ?? 5000)),
  };
}

async function closeServer(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve, reject) =>
    server.close((error) => (error ? reject(error) : resolve())),
  );
  // Keep-alive connections (the board polls, clients reuse sockets) would hold close() open. A
  // connection only counts as idle once its response is finished, which may be after close() was
  // called, so idle ones are swept until all are gone; in-flight ones are cut after the grace period.
  server.closeIdleConnections();
  const sweep = setInterval(() => server.closeIdleConnections(), 50);
  const cut = setTimeout(() => server.closeAllConnections(), graceMs);
  try {
    await closed;
  } finally {
    clearInterval(sweep);
    clearTimeout(cut);
  }
}

import { Writable } from "node:stream";

import type { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, inject } from "vitest";

import { createLogger, type Logger } from "../../src/logger.js";
import { startAdminServer, type AdminServer, type AdminServerOptions } from "../../src/http/admin-server.js";
import { createSyncMetrics, type SyncMetrics } from "../../src/http/sync-metrics.js";
import { createSyncQueue, type SyncJobData } from "../../src/queue/sync-queue.js";
import { createTestDatabase, randomPrefix, type TestDatabase } from "../support/test-database.js";

export const TOKEN = "admin-test-token-0123456789";
export const PROJECTS = ["alpha", "beta", "gamma"];

/** Shared services for one test file: its own database, Redis clients and queue prefix. */
export interface AdminServices {
  database: TestDatabase;
  redis: Redis;
  queue: Queue<SyncJobData>;
  metrics: SyncMetrics;
  logger: Logger;
  /** Everything the logger wrote, at debug level. */
  logText(): string;
  close(): Promise<void>;
}

export async function startServices(): Promise<AdminServices> {
  const database = await createTestDatabase();
  const redis = new Redis(inject("redisUrl"));
  const queueConnection = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
  const queue = createSyncQueue({ connection: queueConnection, prefix: randomPrefix() });
  const chunks: string[] = [];
  const logger = createLogger(
    "debug",
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString("utf8"));
        done();
      },
    }),
  );
  await redis.ping();
  return {
    database,
    redis,
    queue,
    metrics: createSyncMetrics({ queue }),
    logger,
    logText: () => chunks.join(""),
    close: async () => {
      await queue.obliterate({ force: true });
      await queue.close();
      queueConnection.disconnect();
      redis.disconnect();
      await database.drop();
    },
  };
}

/**
 * Services and an admin server shared by a whole test file, closed after it. Read the fields in
 * tests and hooks, not at the top level: they are set by `beforeAll`.
 */
export function useAdminServer(): { services: AdminServices; admin: AdminServer } {
  const state = {} as { services: AdminServices; admin: AdminServer };
  beforeAll(async () => {
    state.services = await startServices();
    state.admin = await startAdmin(state.services);
  });
  afterAll(async () => {
    // Optional: a beforeAll that failed leaves them unset, and its error is the one to see.
    await (state.admin as AdminServer | undefined)?.close();
    await (state.services as AdminServices | undefined)?.close();
  });
  return state;
}

/** An admin server on a random loopback port over `services`, with `overrides` applied. */
export function startAdmin(
  services: AdminServices,
  overrides: Partial<AdminServerOptions> & { token?: string | undefined } = {},
): Promise<AdminServer> {
  const { token, ...rest } = overrides;
  return startAdminServer({
    // An explicit `token: undefined` means a server without ADMIN_TOKEN.
    config: { host: "127.0.0.1", port: 0, token: "token" in overrides ? token : TOKEN },
    metrics: services.metrics,
    queue: services.queue,
    database: services.database,
    redis: services.redis,
    projectIds: PROJECTS,
    logger: services.logger,
    ...rest,
  });
}

export function basic(password: string, user = "admin"): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

import type { Redis } from "ioredis";

import { accountOf, type Config } from "../config/config.js";
import type { Logger } from "../logger.js";
import { AccountHolds } from "../queue/account-holds.js";
import { accountKey } from "../queue/account-key.js";
import type { ProjectClaims } from "../queue/project-claims.js";
import {
  createSyncProcessor,
  type SyncProcessor,
  type SyncProcessorOptions,
} from "../queue/sync-processor.js";
import type { SyncRuntime } from "./sync-runtime.js";
import type { WorkerObservability } from "./worker-observability.js";

/** What the worker has opened that its jobs use. */
export interface ProcessorServices {
  runtime: SyncRuntime;
  /** Where the accounts' holds are kept. */
  redis: Redis;
  prefix: string;
  claims: ProjectClaims;
  recorder: WorkerObservability["recorder"];
}

/**
 * The sync processor as the worker runs it: runs on its runtime, reported to its recorder, each
 * project's account keyed as its rate limiter is (accountKey), with the accounts' holds and the
 * project claims in Redis.
 */
export function workerProcessor(
  config: Config,
  logger: Logger,
  services: ProcessorServices,
  timings: Pick<SyncProcessorOptions, "busyRetryMs" | "throttleHoldMs" | "handBackMs">,
): SyncProcessor {
  const { runtime, recorder } = services;
  const keys = new Map(config.accounts.map((a) => [a.name, accountKey(a)]));
  return createSyncProcessor({
    syncDeps: (extra) =>
      runtime.deps({ ...extra, onClockOffset: (id, offset) => recorder?.recordClockOffset?.(id, offset) }),
    logger,
    accountOf: (projectId) => {
      const name = accountOf(config.accounts, projectId)?.name;
      return name === undefined ? undefined : { name, key: keys.get(name)! };
    },
    holds: new AccountHolds(services.redis, services.prefix, config.accounts[0]?.maxRetryAfterMs),
    claims: services.claims,
    recorder,
    busyRetryMs: timings.busyRetryMs,
    throttleHoldMs: timings.throttleHoldMs,
    maxThrottleHoldMs: config.accounts[0]?.maxRetryAfterMs,
    handBackMs: timings.handBackMs,
  });
}

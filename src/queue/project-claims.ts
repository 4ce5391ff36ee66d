import type { Redis } from "ioredis";

import { SYNC_QUEUE_NAME } from "./sync-queue.js";

/**
 * Which projects some live worker of the queue is configured for: one Redis hash, project ID
 * to the time the claim lapses. A worker given a job for a project it does not know hands the
 * job back while another worker claims the project (two deployments on one queue), and fails it
 * only when nobody does (a typo in `resync --project`).
 */
export class ProjectClaims {
  private readonly key: string;

  /**
   * @param ttlMs how long a claim outlives its last refresh: a deployment stopped for longer
   *   than this (a long maintenance) no longer protects its jobs from failing. @default 3600000
   */
  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly ttlMs = 3_600_000,
  ) {
    this.key = `${prefix}:${SYNC_QUEUE_NAME}:project-claims`;
  }

  /** Claims (or renews the claim on) every project given. */
  async claim(projectIds: readonly string[]): Promise<void> {
    const until = String(Date.now() + this.ttlMs);
    for (let i = 0; i < projectIds.length; i += 500) {
      const chunk = projectIds.slice(i, i + 500);
      await this.redis.hset(this.key, Object.fromEntries(chunk.map((id) => [id, until])));
    }
  }

  /** Those of `projectIds` no live worker claims, in their order; one round trip a chunk. */
  async unclaimed(projectIds: readonly string[]): Promise<string[]> {
    const now = Date.now();
    const lapsed: string[] = [];
    for (let i = 0; i < projectIds.length; i += 500) {
      const chunk = projectIds.slice(i, i + 500);
      const until = await this.redis.hmget(this.key, ...chunk);
      chunk.forEach((id, j) => {
        const claim = until[j];
        if (claim === null || claim === undefined || Number(claim) <= now) lapsed.push(id);
      });
    }
    return lapsed;
  }

  /** True while some worker's claim on the project has not lapsed. */
  async isClaimed(projectId: string): Promise<boolean> {
    const until = await this.redis.hget(this.key, projectId);
    return until !== null && Number(until) > Date.now();
  }
}

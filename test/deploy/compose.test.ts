import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";
import { parse } from "yaml";

/**
 * No Docker engine runs in CI, so `docker compose config` is out of reach: this checks what it
 * would, and what a deployment relies on, from the files themselves.
 */
interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  profiles?: string[];
  ports?: string[];
}
const compose = parse(readFileSync("docker-compose.yml", "utf8"), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const dockerfile = readFileSync("Dockerfile", "utf8");

describe("docker-compose.yml", () => {
  it("runs Postgres, Redis and the worker, each with a healthcheck", () => {
    for (const name of ["postgres", "redis", "worker", "simulator"]) {
      expect(compose.services[name]?.healthcheck?.test.length, name).toBeGreaterThan(0);
    }
  });

  it("keeps Redis safe for BullMQ: AOF on, noeviction", () => {
    const command = compose.services.redis!.command!.join(" ");
    expect(command).toContain("--appendonly yes");
    expect(command).toContain("--maxmemory-policy noeviction");
  });

  it("starts the worker only once its stores are healthy, with both URLs and a token", () => {
    const worker = compose.services.worker!;
    expect(worker.depends_on).toEqual({
      postgres: { condition: "service_healthy" },
      redis: { condition: "service_healthy" },
    });
    expect(worker.environment?.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
    expect(worker.environment?.REDIS_URL).toBe("redis://redis:6379");
    expect(worker.environment?.ADMIN_TOKEN).toMatch(/:\?/); // compose refuses to start without one
    expect(worker.environment?.METASTUDIO_PROJECT_IDS).toBeDefined();
    expect(worker.ports).toEqual(["127.0.0.1:9464:9464"]);
  });

  it("keeps the simulator behind the trial profile", () => {
    expect(compose.services.simulator!.profiles).toEqual(["trial"]);
    expect(compose.services.worker!.profiles).toBeUndefined();
  });

  it("names only volumes it declares", () => {
    expect(Object.keys(compose.volumes).sort()).toEqual(["postgres-data", "redis-data"]);
  });
});

describe("Dockerfile", () => {
  it("builds in one stage and runs from another, on an LTS Node", () => {
    const stages = dockerfile.match(/^FROM node:(\d+)-\S+ AS (\w+)/gm) ?? [];
    expect(stages).toHaveLength(2);
    const major = Number(/^FROM node:(\d+)/m.exec(dockerfile)?.[1]);
    expect(major % 2).toBe(0); // even majors are the LTS lines
  });

  it("installs production dependencies only and runs as a non-root user", () => {
    const runtime = dockerfile.slice(dockerfile.lastIndexOf("FROM "));
    expect(runtime).toContain("npm ci --omit=dev");
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toContain("COPY migrations ./migrations");
  });
});

import { describe, expect, it } from "vitest";

import { loadConfig } from "../../src/config/config.js";
import { configRefusal } from "../support/config-refusal.js";

const base = {
  METASTUDIO_ENDPOINT: "https://metastudio.cn-north-4.myhuaweicloud.com",
  METASTUDIO_PROJECT_IDS: "p1",
  METASTUDIO_AUTH_TOKEN: "tok",
};

describe("DATABASE_POOL_SIZE", () => {
  it("is unset by default, for the worker to size its pool to its runs", () => {
    expect(loadConfig(base).sync.databasePoolSize).toBeUndefined();
  });

  it("caps the worker's pool down to WORKER_CONCURRENCY + 3", () => {
    expect(loadConfig({ ...base, DATABASE_POOL_SIZE: "7" }).sync.databasePoolSize).toBe(7);
    expect(
      loadConfig({ ...base, WORKER_CONCURRENCY: "10", DATABASE_POOL_SIZE: "13" }).sync.databasePoolSize,
    ).toBe(13);
  });

  it("refuses a pool too small for the runs to make progress, naming both settings", () => {
    expect(configRefusal({ ...base, DATABASE_POOL_SIZE: "6" })).toBe(
      "DATABASE_POOL_SIZE 6 is below the 7 connections WORKER_CONCURRENCY 4 needs to make progress " +
        "(one per run's project lock, housekeeping's lock, one for statements, one for the readiness " +
        "check); raise it or lower WORKER_CONCURRENCY.",
    );
    expect(configRefusal({ ...base, WORKER_CONCURRENCY: "1", DATABASE_POOL_SIZE: "3" })).toContain(
      "below the 4 connections WORKER_CONCURRENCY 1",
    );
  });

  it("refuses what is not a whole number", () => {
    expect(configRefusal({ ...base, DATABASE_POOL_SIZE: "ten" })).toContain("DATABASE_POOL_SIZE");
    expect(configRefusal({ ...base, DATABASE_POOL_SIZE: "7.5" })).toContain("DATABASE_POOL_SIZE");
  });
});

import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Files share one Postgres and one Redis; each file gets its own database and queue prefix,
    // so files can run in parallel without seeing each other's rows or jobs.
    pool: "forks",
  },
});

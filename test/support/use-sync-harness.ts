import { afterEach } from "vitest";

import { startHarness, type Harness } from "./sync-harness.js";
import type { TestDatabase } from "./test-database.js";
import { useTestDatabase } from "./use-test-database.js";

export interface SyncTestFile {
  /** The file's own database, created before its first test and dropped after its last. */
  readonly database: TestDatabase;
  /** The running test's harness, from `start`. */
  readonly harness: Harness;
  /** Starts this test's simulator and client; closed after the test whatever its outcome. */
  start(options: Parameters<typeof startHarness>[1]): Promise<Harness>;
}

/**
 * The setup every sync test file shares: a database per file (files never see each other's
 * rows) and a harness per test, closed after it even when the test failed, so a failed test's
 * simulator and client pool cannot hold the next test's port or keep the process alive.
 */
export function useSyncHarness(): SyncTestFile {
  const database = useTestDatabase();
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });
  return {
    database,
    get harness() {
      if (harness === undefined) throw new Error("useSyncHarness: no harness started in this test");
      return harness;
    },
    async start(options) {
      harness = await startHarness(this.database, options);
      return harness;
    },
  };
}

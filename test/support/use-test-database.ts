import { afterAll, beforeAll } from "vitest";

import { createTestDatabase, type TestDatabase } from "./test-database.js";

/**
 * The file's own database: created before its first test, so files never see each other's rows,
 * and dropped after its last even when tests fail (not when an `afterAll` registered after it
 * throws: vitest stops at the first that does). Call it at the top level, before the file's
 * other hooks: `beforeAll` hooks run in order and `afterAll` hooks in reverse, so the file's own
 * hooks see the database created and are done with it before it is dropped.
 *
 * The handle reads through to the database once created; read it in tests and hooks, not at the
 * top level, where it throws.
 */
export function useTestDatabase(options: { migrate?: boolean } = {}): TestDatabase {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(options);
  });
  afterAll(async () => {
    // Unset when creating it failed; that error is the one to see.
    await database?.drop();
  });
  const current = (): TestDatabase => {
    if (database === undefined) {
      throw new Error("useTestDatabase: the database exists only inside tests and hooks, once created");
    }
    return database;
  };
  return new Proxy({} as TestDatabase, {
    get: (_, property) => Reflect.get(current(), property) as unknown,
    set: () => {
      throw new Error("useTestDatabase: the handle is read-only");
    },
    has: (_, property) => Reflect.has(current(), property),
    ownKeys: () => Reflect.ownKeys(current()),
    getOwnPropertyDescriptor: (_, property) => Reflect.getOwnPropertyDescriptor(current(), property),
  });
}

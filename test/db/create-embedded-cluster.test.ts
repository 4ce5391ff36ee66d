import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { EMBEDDED_SHARED_BUFFERS } from "../../src/db/create-embedded-cluster.js";
import { LOCK_FILE } from "../../src/db/data-dir-lock.js";
import { openDatabase } from "../../src/db/database.js";
import { queryRows } from "../../src/db/query-rows.js";

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "msync-cluster-"));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

async function sharedBuffers(dir: string): Promise<string> {
  const database = await openDatabase({ databaseUrl: undefined, embeddedDataDir: dir });
  try {
    const rows = await queryRows<{ shared_buffers: string }>(database.db, sql`show shared_buffers`);
    return rows[0]!.shared_buffers;
  } finally {
    await database.close();
  }
}

describe("the embedded cluster openDatabase creates", () => {
  // PGlite's default is 128 MB, which costs about 125 MB of RSS whatever the data.
  it("has the small buffer pool, kept in the cluster across opens", async () => {
    expect(EMBEDDED_SHARED_BUFFERS).toBe("16MB");
    const dir = join(root, "new");
    expect(await sharedBuffers(dir)).toBe("16MB");
    expect(await sharedBuffers(dir)).toBe("16MB");
    // Built beside the lock file and moved up: nothing of the staging left, the lock released.
    expect(existsSync(join(dir, "PG_VERSION"))).toBe(true);
    expect(readdirSync(dir).filter((entry) => entry.startsWith(".new-cluster-"))).toEqual([]);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it("is created in a directory that already holds files, which stay", async () => {
    const dir = join(root, "with-files");
    mkdirSync(join(dir, ".new-cluster-999999", "base"), { recursive: true });
    writeFileSync(join(dir, "notes.txt"), "mine\n");
    expect(await sharedBuffers(dir)).toBe("16MB");
    expect(existsSync(join(dir, "notes.txt"))).toBe(true);
    expect(existsSync(join(dir, ".new-cluster-999999"))).toBe(false);
  });

  it("refuses, naming the entry, when a cluster's file is in the way, and creates none", async () => {
    const dir = join(root, "in-the-way");
    mkdirSync(join(dir, "base"), { recursive: true });
    await expect(sharedBuffers(dir)).rejects.toThrow(/base is in the way/);
    expect(existsSync(join(dir, "PG_VERSION"))).toBe(false);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });
});

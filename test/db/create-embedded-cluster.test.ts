import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ConfigError } from "../../src/config/config-error.js";
import { createEmbeddedCluster, EMBEDDED_SHARED_BUFFERS } from "../../src/db/create-embedded-cluster.js";
import { LOCK_FILE } from "../../src/db/data-dir-lock.js";
import { openDatabase } from "../../src/db/open-database.js";
import { queryRows } from "../../src/db/query-rows.js";
import { writeClusterTemplate } from "../../src/db/cluster-template.js";

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "msync-cluster-"));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

async function show(dir: string, query: ReturnType<typeof sql>): Promise<string> {
  const database = await openDatabase({ databaseUrl: undefined, embeddedDataDir: dir });
  try {
    const rows = await queryRows<{ value: string }>(database.db, query);
    return rows[0]!.value;
  } finally {
    await database.close();
  }
}
const sharedBuffers = (dir: string) => show(dir, sql`select current_setting('shared_buffers') as value`);
/** initdb gives every cluster its own; a copy keeps the template's. */
const systemId = (dir: string) =>
  show(dir, sql`select system_identifier::text as value from pg_control_system()`);

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

  it("is created beside an interrupted creation's staging (removed) and the demo's marker (kept)", async () => {
    const dir = join(root, "with-staging");
    mkdirSync(join(dir, ".new-cluster-999999", "base"), { recursive: true });
    // scripts/fresh-demo-dir.ts writes it before the demo's first run creates the cluster.
    writeFileSync(join(dir, "created-by-metastudio-sync-demo"), "");
    expect(await sharedBuffers(dir)).toBe("16MB");
    expect(existsSync(join(dir, ".new-cluster-999999"))).toBe(false);
    expect(existsSync(join(dir, "created-by-metastudio-sync-demo"))).toBe(true);
  });

  // As initdb refuses it: a METASTUDIO_SYNC_DATA_DIR pointed at the wrong directory would get a
  // cluster's twenty-odd entries among the user's files.
  it("refuses a directory holding anything else, naming it and METASTUDIO_SYNC_DATA_DIR, and adds nothing", async () => {
    const dir = join(root, "with-files");
    mkdirSync(dir);
    writeFileSync(join(dir, "somefile"), "x\n");
    const refusal = sharedBuffers(dir);
    await expect(refusal).rejects.toBeInstanceOf(ConfigError);
    await expect(refusal).rejects.toThrow(
      `Cannot create the embedded database in ${dir} (METASTUDIO_SYNC_DATA_DIR): the directory is not empty (it holds somefile)`,
    );
    expect(readdirSync(dir)).toEqual(["somefile"]);
    const many = join(root, "with-many");
    mkdirSync(many);
    for (const name of ["a", "b", "c", "d", "e"]) writeFileSync(join(many, name), "");
    await expect(createEmbeddedCluster(many, undefined)).rejects.toThrow(/it holds a, b, c and 2 more\)/);
    expect(readdirSync(many)).toEqual(["a", "b", "c", "d", "e"]);
  });

  it("refuses, naming the entry, when a cluster's file is in the way, and creates none", async () => {
    const dir = join(root, "in-the-way");
    mkdirSync(join(dir, "base"), { recursive: true });
    await expect(sharedBuffers(dir)).rejects.toThrow(
      /it holds base\) and holds no database \(no PG_VERSION\)/,
    );
    expect(existsSync(join(dir, "PG_VERSION"))).toBe(false);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });
});

describe("the cluster template", () => {
  let template: string;
  beforeAll(async () => {
    template = join(root, "template", "pglite.tar.gz");
    await writeClusterTemplate(template);
  }, 120_000);

  // Copying it instead of running initdb is what keeps a first run under 300 MB.
  it("is what a new cluster is copied from, buffer pool included", async () => {
    const dir = join(root, "from-template");
    mkdirSync(dir);
    await createEmbeddedCluster(dir, template);
    const unpacked = join(root, "template-itself");
    mkdirSync(unpacked);
    await createEmbeddedCluster(unpacked, template);
    expect(await systemId(dir)).toBe(await systemId(unpacked));
    expect(await sharedBuffers(dir)).toBe(EMBEDDED_SHARED_BUFFERS);
  });

  it("gives way to initdb when missing or when it does not open", async () => {
    const broken = join(root, "template", "broken.tar.gz");
    writeFileSync(broken, "not a cluster");
    const fromTemplate = join(root, "copy");
    const fallbacks = [join(root, "missing"), join(root, "broken")];
    for (const dir of [fromTemplate, ...fallbacks]) mkdirSync(dir);
    const reasons: string[] = [];
    const told = (reason: string) => reasons.push(reason);
    await createEmbeddedCluster(fromTemplate, template, told);
    expect(reasons).toEqual([]);
    await createEmbeddedCluster(fallbacks[0]!, join(root, "template", "absent.tar.gz"), told);
    await createEmbeddedCluster(fallbacks[1]!, broken, told);
    // Said, not silent: initdb costs seconds and memory, and the user can make the template.
    expect(reasons).toEqual([
      expect.stringMatching(/^No cluster template at .*absent\.tar\.gz .*with initdb instead/),
      expect.stringMatching(/^The cluster template at .*broken\.tar\.gz did not open \(.+\): .*with initdb/),
    ]);
    for (const dir of fallbacks) {
      expect(await systemId(dir)).not.toBe(await systemId(fromTemplate));
      expect(await sharedBuffers(dir)).toBe(EMBEDDED_SHARED_BUFFERS);
      expect(readdirSync(dir).filter((entry) => entry.startsWith(".new-cluster-"))).toEqual([]);
    }
  });
});

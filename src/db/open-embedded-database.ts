import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

import type { PGlite } from "@electric-sql/pglite";
import type { drizzle as drizzlePglite } from "drizzle-orm/pglite";

import type { Db, EmbeddedDatabase } from "./database.js";
import * as schema from "./schema.js";

/**
 * The embedded database kept in `dataDir`, created there (from the cluster template when it can
 * be) when it holds none; locked to this process until closed. For openDatabase.
 */
export async function openEmbeddedDatabase(
  dataDir: string,
  onWarning: ((message: string) => void) | undefined,
): Promise<EmbeddedDatabase> {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  // Before loading PGlite (seconds on a busy machine): a second process is refused at once.
  const { lockDataDir } = await import("./data-dir-lock.js");
  const release = lockDataDir(dir);
  let client: PGlite;
  let drizzle: typeof drizzlePglite;
  try {
    const { PGlite } = await import("@electric-sql/pglite");
    ({ drizzle } = await import("drizzle-orm/pglite"));
    if (!holdsEmbeddedCluster(dir)) {
      const { createEmbeddedCluster } = await import("./create-embedded-cluster.js");
      const { clusterTemplatePath } = await import("./cluster-template.js");
      await createEmbeddedCluster(dir, clusterTemplatePath(), onWarning);
    }
    client = await PGlite.create(dir);
  } catch (error) {
    release();
    throw error;
  }
  return {
    db: drizzle(client, { schema }) as unknown as Db,
    kind: "embedded",
    client,
    location: dir,
    close: async () => {
      try {
        await client.close();
      } finally {
        release();
      }
    },
  };
}

/** Whether `dir` holds a complete cluster: PG_VERSION is the last file a creation moves in. */
export function holdsEmbeddedCluster(dir: string): boolean {
  return existsSync(join(dir, "PG_VERSION"));
}

import { openDatabase } from "../src/db/database.js";
import { compareMirror, describeDifferences } from "../src/sync/compare-mirror.js";

/**
 * Throws unless the mirror at `databaseUrl` holds exactly `upstream` for `projectId`, by the
 * tests' and drills' definition (compareMirror). A run that wrote the wrong rooms fast must not
 * be printed as a result: its numbers would measure a different job.
 */
export async function expectExactMirror(
  databaseUrl: string,
  projectId: string,
  upstream: Array<Record<string, unknown>>,
  after: string,
): Promise<void> {
  const database = await openDatabase({ databaseUrl, embeddedDataDir: "" });
  try {
    const differences = await compareMirror(database.db, projectId, upstream);
    if (differences.length > 0) {
      throw new Error(`bench: the mirror is not exact after ${after}: ${describeDifferences(differences)}`);
    }
  } finally {
    await database.close();
  }
}

import { once } from "node:events";

import { ConfigError } from "../config/config-error.js";
import { loadConfig } from "../config/config.js";
import { isProjectId } from "../config/parse-project-ids.js";
import type { Database } from "../db/database.js";
import { readChanges, type FeedChange } from "../db/read-changes.js";
import {
  decodeCursor,
  encodeCursor,
  FEED_START,
  InvalidCursorError,
  type FeedPosition,
} from "../db/feed-cursor.js";
import { clipToken } from "../describe-error.js";
import { openExistingDatabase } from "./open-existing-database.js";

export interface ChangesOptions {
  project: string[];
  since?: string;
  follow: boolean;
  json: boolean;
}

/** Changes read per query: bounds memory however far behind the consumer is. */
const PAGE_SIZE = 500;
/**
 * How long `--follow` waits without a notification before looking anyway: a change held back
 * behind a long transaction elsewhere becomes readable when that transaction ends, which no
 * notification announces. Also the bound if the LISTEN connection is lost.
 */
const POLL_MS = 2000;

/** `changes`: the change feed from a cursor, and with `--follow` as changes commit. */
export async function changesAction(options: ChangesOptions): Promise<void> {
  // A typo would read as a project with no changes: an empty feed and exit 0, which a script
  // following the feed cannot tell from a quiet project.
  const bad = options.project.find((id) => !isProjectId(id));
  if (bad !== undefined)
    throw new ConfigError(`--project ${JSON.stringify(clipToken(bad))} is not a project ID.`);
  let position: FeedPosition;
  try {
    position = options.since === undefined ? FEED_START : decodeCursor(options.since);
  } catch (error) {
    if (error instanceof InvalidCursorError) throw new ConfigError(error.message);
    throw error;
  }
  const config = loadConfig(process.env, { metastudio: false });
  const database = await openExistingDatabase(config, "changes", 2);
  try {
    await streamChanges(database, position, options);
  } finally {
    await database.close();
  }
}

async function streamChanges(
  database: Database,
  start: FeedPosition,
  options: ChangesOptions,
): Promise<void> {
  let position = start;
  let wake: () => void = () => {};
  let stopped = false;
  const stop = () => {
    stopped = true;
    wake();
  };
  process.once("SIGINT", stop).once("SIGTERM", stop);
  const unlisten = options.follow ? await listen(database, () => wake()) : async () => {};
  try {
    while (!stopped) {
      const rows = await readChanges(database.db, {
        after: position,
        projectIds: options.project,
        limit: PAGE_SIZE,
      });
      for (const row of rows) {
        position = { xid: row.xid, id: row.id };
        await print(options.json ? json(row, position) : text(row, position));
      }
      if (rows.length === PAGE_SIZE) continue;
      if (!options.follow) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    process.off("SIGINT", stop).off("SIGTERM", stop);
    await unlisten();
  }
}

async function listen(database: Database, onChange: () => void) {
  const { listenForChanges } = await import("../db/listen-changes.js");
  return listenForChanges(database, onChange, (error) =>
    process.stderr.write(
      `metastudio-sync: lost the LISTEN connection (${error.message}); polling every ${POLL_MS / 1000} s\n`,
    ),
  );
}

function json(row: FeedChange, position: FeedPosition): string {
  const { xid: _xid, id, ...rest } = row;
  return `${JSON.stringify({ cursor: encodeCursor(position), id: Number(id), ...rest })}\n`;
}

function text(row: FeedChange, position: FeedPosition): string {
  const fields = row.change === "updated" ? ` ${row.changed_fields.join(",")}` : "";
  return `${row.observed_at} ${row.change.padEnd(10)} ${row.project_id} ${row.room_id}${fields}  ${encodeCursor(position)}\n`;
}

/** Writes with backpressure: a slow reader (a pipe) holds the feed back instead of memory. */
async function print(line: string): Promise<void> {
  if (!process.stdout.write(line)) await once(process.stdout, "drain");
}

import type { Database } from "./database.js";
import { CHANGES_CHANNEL } from "../vocabulary.js";

/**
 * Calls `onChange` whenever a batch of changes commits (NOTIFY on CHANGES_CHANNEL), until the
 * returned function is called. Postgres: a dedicated pooled connection in LISTEN. Embedded: the
 * PGlite instance's own listener (only this process writes to it). A lost connection stops the
 * notifications, not the caller: it is reported through `onError`, and polling goes on.
 */
export async function listenForChanges(
  database: Database,
  onChange: () => void,
  onError: (error: Error) => void,
): Promise<() => Promise<void>> {
  if (database.kind === "embedded") {
    const unlisten = await database.client.listen(CHANGES_CHANNEL, onChange);
    return unlisten;
  }
  const client = await database.pool.connect();
  let lost = false;
  client.on("notification", (message) => {
    if (message.channel === CHANGES_CHANNEL) onChange();
  });
  client.on("error", (error) => {
    lost = true;
    onError(error);
  });
  await client.query(`listen ${CHANGES_CHANNEL}`);
  return async () => {
    if (lost) client.release(true);
    else {
      await client.query(`unlisten ${CHANGES_CHANNEL}`).catch(() => {});
      client.release();
    }
  };
}

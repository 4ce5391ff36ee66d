/**
 * A position in the change feed: after the change `id` written by transaction `xid`. The feed
 * hands changes out in (xid, id) order, so a position says "everything up to here was seen".
 */
export interface FeedPosition {
  /** The writing transaction (`xid8`), decimal: 64 bits do not fit a JS number. */
  xid: string;
  id: string;
}

const PREFIX = "c1_";

/** The start of the feed: before every change ever written. */
export const FEED_START: FeedPosition = { xid: "0", id: "0" };

/** The opaque cursor printed with each change; its format may change, its meaning will not. */
export function encodeCursor(position: FeedPosition): string {
  return PREFIX + Buffer.from(`${position.xid}.${position.id}`, "utf8").toString("base64url");
}

/** Thrown for a cursor this version did not write; the message is for the user. */
export class InvalidCursorError extends Error {
  override readonly name = "InvalidCursorError";
}

/** Reads back a cursor from `encodeCursor`; anything else is an InvalidCursorError. */
export function decodeCursor(cursor: string): FeedPosition {
  const invalid = () =>
    new InvalidCursorError(
      `--since must be a cursor printed by \`metastudio-sync changes\`; got ${JSON.stringify(cursor.slice(0, 80))}.`,
    );
  if (!cursor.startsWith(PREFIX) || cursor.length > 100) throw invalid();
  const match = /^(\d{1,20})\.(\d{1,19})$/.exec(
    Buffer.from(cursor.slice(PREFIX.length), "base64url").toString("utf8"),
  );
  if (!match) throw invalid();
  return { xid: match[1]!, id: match[2]! };
}

/**
 * The package's public API for code that reads the mirror: the Drizzle tables and views with
 * their row types, the change feed's reader and cursor, and the table descriptions.
 * `metastudio-sync/schema` is the schema alone.
 */
export * from "./db/schema.js";
export { CHANGES_CHANNEL, readChanges, type FeedChange } from "./db/read-changes.js";
export {
  decodeCursor,
  encodeCursor,
  FEED_START,
  InvalidCursorError,
  type FeedPosition,
} from "./db/feed-cursor.js";
export { TABLE_DOCS, type ObjectDoc } from "./db/table-docs.js";

import { WRITE_LANES } from "./room-writer.js";

/**
 * The most Postgres connections one run (runSync) holds at once:
 * - 1 for its project lock, checked out for the whole run (tryLockProject);
 * - WRITE_LANES for its batches, each lane reading its batch's stored rooms and then writing it,
 *   one statement after the other (RoomWriter);
 * - 1 for a record that follows the writes while later batches are written: a window recorded
 *   complete, or the IDs of items it could not store (RoomWriter.afterWrites, one at a time);
 * - 1 for the request rows a page stores (PostgresLedger.flushRequests: one insert per 200
 *   requests, done long before the next 200 are made) or, once the reads have stopped, a
 *   re-plan's read, beside the writes and the record still in flight.
 * The other phases (open, close, commit) run one statement at a time, with the writes flushed.
 * Measured on a first full sync and a second one of 20,000 rooms: 5 at once, the lock, the three
 * lanes and a record.
 */
export const RUN_CONNECTIONS = 1 + WRITE_LANES + 1 + 1;

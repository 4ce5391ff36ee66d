import { analyzeRoomTables } from "../db/analyze-room-tables.js";
import type { Db } from "../db/database.js";
import { insertSeenIds } from "../db/seen-rooms.js";
import {
  applyRoomBatch,
  prepareBatch,
  storeBatch,
  type BatchInput,
  type ObservedRoom,
  type PayloadRoom,
  type PreparedBatch,
  type PreparedRoom,
} from "./apply-room-batch.js";
import type { RoomBatches } from "./room-batches.js";

/** A real run's batches: read, decided and written in Postgres (see apply-room-batch). */
export class PostgresRoomBatches implements RoomBatches {
  constructor(private readonly db: Db) {}

  admit(rooms: ObservedRoom[]): ObservedRoom[] {
    return rooms;
  }

  prepare(input: BatchInput, batch: PayloadRoom[], unstored: boolean): Promise<PreparedBatch> {
    return prepareBatch(this.db, input, batch, { unstored });
  }

  store({ input, decided, payload }: PreparedBatch): Promise<void> {
    return storeBatch(this.db, input, decided, payload);
  }

  applyOne(input: BatchInput, room: PreparedRoom) {
    return applyRoomBatch(this.db, { ...input, rooms: [room] });
  }

  markSeen(runId: string, roomIds: readonly string[]): Promise<void> {
    return insertSeenIds(this.db, runId, roomIds);
  }

  analyze(): Promise<void> {
    return analyzeRoomTables(this.db);
  }
}

import type { Db } from "../db/database.js";
import {
  batchOf,
  decideBatch,
  readStoredRooms,
  type BatchInput,
  type BatchResult,
  type ObservedRoom,
  type PayloadRoom,
  type PreparedBatch,
  type PreparedRoom,
} from "./apply-room-batch.js";
import type { RoomBatches } from "./room-batches.js";

const NO_PAYLOAD = Buffer.alloc(0);

/**
 * A dry run's batches: read and decided as a real run's are, against what the mirror holds, and
 * never written. Each room is decided once, at its first sighting (see RoomBatches.admit).
 */
export class DryRunRoomBatches implements RoomBatches {
  /** Rooms decided so far. */
  private readonly seen = new Set<string>();

  constructor(private readonly db: Db) {}

  admit(rooms: ObservedRoom[]): ObservedRoom[] {
    return rooms.filter(({ room }) => {
      if (this.seen.has(room.room_id)) return false;
      this.seen.add(room.room_id);
      return true;
    });
  }

  async prepare(input: BatchInput, batch: PayloadRoom[]): Promise<PreparedBatch> {
    const stored = await readStoredRooms(this.db, input, batch);
    return { input, decided: decideBatch(batch, stored, input.discovering), payload: NO_PAYLOAD };
  }

  async store(): Promise<void> {}

  async applyOne(input: BatchInput, room: PreparedRoom): Promise<BatchResult> {
    return (await this.prepare(input, batchOf([room]))).decided.result;
  }

  async markSeen(): Promise<void> {}

  async analyze(): Promise<void> {}
}

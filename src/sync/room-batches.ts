import type {
  BatchInput,
  BatchResult,
  ObservedRoom,
  PayloadRoom,
  PreparedBatch,
  PreparedRoom,
} from "./apply-room-batch.js";

/**
 * Where a run's room batches go: the one contract between RoomWriter and the store, with a
 * Postgres implementation (PostgresRoomBatches) and a dry run's (DryRunRoomBatches), which reads
 * and decides as the real one does and writes nothing. The writer never asks which it has.
 */
export interface RoomBatches {
  /**
   * The rooms of a page to decide. A dry run writes nothing, so a later batch could not tell a
   * room it saw before from a new one: it decides each room once, at its first sighting.
   */
  admit(rooms: ObservedRoom[]): ObservedRoom[];
  /**
   * A batch read (unless `unstored`: the caller knows no room of it has a row), decided and
   * ready to write, its statement's parameter built.
   */
  prepare(input: BatchInput, batch: PayloadRoom[], unstored: boolean): Promise<PreparedBatch>;
  /** Writes a prepared batch in one statement; fills in the rows written. */
  store(prepared: PreparedBatch): Promise<void>;
  /** One room read, decided and written on its own: a batch refused for its data, room by room. */
  applyOne(input: BatchInput, room: PreparedRoom): Promise<BatchResult>;
  /** IDs of `runId` seen but not written (rooms the database refused), so none is judged deleted. */
  markSeen(runId: string, roomIds: readonly string[]): Promise<void>;
  /** Refreshes the room tables' statistics once a run has filled them (see analyzeRoomTables). */
  analyze(): Promise<void>;
}

import {
  applyRoomBatch,
  batchOf,
  decideBatch,
  readStoredRooms,
  storeBatch,
  storedAfter,
  type BatchResult,
  type ObservedRoom,
  type PayloadRoom,
  type PlannedChange,
  type StoredRooms,
} from "./apply-room-batch.js";
import { analyzeRoomTables } from "../db/analyze-room-tables.js";
import type { Db } from "../db/database.js";
import { insertSeenIds } from "../db/seen-rooms.js";
import { describeError } from "../describe-error.js";
import type { Logger } from "../logger.js";
import { isDataError } from "./is-data-error.js";

export interface WriterTotals {
  inserted: number;
  updated: number;
  restored: number;
  unchanged: number;
  roomRowsWritten: number;
  voiceRowsWritten: number;
  writeMs: number;
  /** Rooms the database refused one by one after their batch failed: lost, and counted invalid. */
  skipped: number;
}

/**
 * Collects rooms from concurrent page fetches and writes them in batches, one transaction at a
 * time. `add` waits while a full batch is being written, which bounds memory however fast pages
 * arrive.
 */
export class RoomWriter {
  readonly totals: WriterTotals = {
    inserted: 0,
    updated: 0,
    restored: 0,
    unchanged: 0,
    roomRowsWritten: 0,
    voiceRowsWritten: 0,
    writeMs: 0,
    skipped: 0,
  };
  /** A dry run's would-be changes, the first `previewLimit` of them. */
  readonly preview: PlannedChange[] = [];
  /** A dry run writes no `sync_seen_rooms` rows, so it remembers what it saw here instead. */
  readonly seenInDryRun = new Set<string>();
  private buffer: ObservedRoom[] = [];
  private chain: Promise<void> = Promise.resolve();
  /** Batches enqueued and not yet being written, oldest first: the next one is read ahead. */
  private readonly queued: PayloadRoom[][] = [];
  /** The read of the next batch, started while the batch before it is written. */
  private readAhead: { batch: PayloadRoom[]; stored: Promise<StoredRooms> } | undefined;
  /** The rooms the last batch wrote, as stored once it committed; see write. */
  private lastWritten: StoredRooms = new Map();

  constructor(
    private readonly options: {
      db: Db;
      projectId: string;
      runId: string;
      dryRun: boolean;
      /** The project's first complete run is still to come: new rooms are `discovered`. @default false */
      discovering?: boolean;
      /** @default 500 */
      batchSize?: number;
      /** @default 50 */
      previewLimit?: number;
      now?: () => Date;
      /** Where a failed statistics refresh is reported; it does not fail the run. */
      logger?: Logger;
    },
  ) {}

  /** Rooms inserted by this run at which the room tables are analyzed, once. */
  private analyzeAt = 2000;

  /**
   * Buffers rooms; a full buffer becomes a batch written behind the one in flight. Resolves once
   * at most one batch is waiting, so fetching overlaps writing but never runs ahead by more than
   * a batch. Rejects once a write has failed.
   */
  async add(rooms: ObservedRoom[]): Promise<void> {
    if (this.options.dryRun) {
      // Nothing is written, so a later batch cannot tell a room it saw before from a new one:
      // each room is diffed once, at its first sighting, or its change would be counted again.
      rooms = rooms.filter(({ room }) => {
        if (this.seenInDryRun.has(room.room_id)) return false;
        this.seenInDryRun.add(room.room_id);
        return true;
      });
    }
    this.buffer.push(...rooms);
    if (this.buffer.length < (this.options.batchSize ?? 500)) return;
    const previous = this.chain;
    this.enqueueBuffer();
    await previous;
  }

  /** Writes what is buffered; resolves once everything added so far is committed. */
  async flush(): Promise<void> {
    this.enqueueBuffer();
    await this.chain;
  }

  /**
   * Runs `task` once everything added so far is committed, without waiting for it: how a window
   * is recorded as complete only after its rooms are, while the next window is already fetched.
   * A failure surfaces from the next `add` or `flush`.
   */
  afterWrites(task: () => Promise<void>): void {
    this.enqueueBuffer();
    this.then(task);
  }

  private enqueueBuffer(): void {
    const buffered = this.buffer;
    this.buffer = [];
    // One page can hold far more rooms than a batch (a hostile 100k-item page): each batch is
    // its own transaction, so one statement never carries the whole page.
    const size = this.options.batchSize ?? 500;
    for (let start = 0; start < buffered.length; start += size) {
      // Hashed now, while the batch before is being written.
      const batch = batchOf(this.options.projectId, buffered.slice(start, start + size));
      if (batch.length === 0) continue;
      this.queued.push(batch);
      this.then(() => this.write(batch));
    }
  }

  private then(task: () => Promise<void>): void {
    this.chain = this.chain.then(task);
    // Marked handled here; whoever awaits the chain next still sees the rejection.
    this.chain.catch(() => {});
  }

  private input() {
    return {
      projectId: this.options.projectId,
      runId: this.options.runId,
      observedAt: (this.options.now ?? (() => new Date()))(),
      dryRun: this.options.dryRun,
      discovering: this.options.discovering ?? false,
    };
  }

  private apply(rooms: ObservedRoom[]): Promise<BatchResult> {
    return applyRoomBatch(this.options.db, { ...this.input(), rooms });
  }

  /**
   * Reads, decides and writes one batch. The read of the next batch runs while this one is
   * written, so Postgres and node overlap: that read may or may not see this batch's commit, so
   * the next decision takes the rooms this batch wrote from `lastWritten`, which is exactly what
   * they hold once it commits (no other writer touches the project: the project lock).
   */
  private async write(batch: PayloadRoom[]): Promise<void> {
    const started = performance.now();
    this.queued.shift();
    const { db, projectId } = this.options;
    const ahead = this.readAhead?.batch === batch ? this.readAhead.stored : undefined;
    this.readAhead = undefined;
    try {
      const stored = await (ahead ?? readStoredRooms(db, projectId, batch));
      for (const { observed } of batch) {
        const written = this.lastWritten.get(observed.room.room_id);
        if (written) stored.set(observed.room.room_id, written);
      }
      const input = this.input();
      const result = decideBatch(batch, stored, input.discovering);
      if (!input.dryRun) {
        const next = this.queued[0];
        if (next) {
          this.readAhead = { batch: next, stored: readStoredRooms(db, projectId, next) };
          // Awaited by the next write; a failure here must not be an unhandled rejection.
          this.readAhead.stored.catch(() => {});
        }
        await storeBatch(db, input, batch, result);
        this.lastWritten = storedAfter(batch);
      }
      this.accumulate(result);
    } catch (error) {
      if (!isDataError(error)) throw error;
      // Rooms refused one by one are not stored as `lastWritten` says: the next batch reads anew.
      this.readAhead = undefined;
      this.lastWritten = new Map();
      await this.writeOneByOne(
        batch.map(({ observed }) => observed),
        error,
      );
    }
    // A run filling the tables from (nearly) empty: see analyzeRoomTables for why one ANALYZE is
    // enough, and for the cost of none. Each costs a sample of the tables, jsonb included.
    if (!this.options.dryRun && this.totals.inserted >= this.analyzeAt) {
      this.analyzeAt = Number.POSITIVE_INFINITY;
      await analyzeRoomTables(this.options.db).catch((error: unknown) =>
        this.options.logger?.warn({ err: error }, "could not refresh the room tables' statistics"),
      );
    }
    this.totals.writeMs += performance.now() - started;
  }

  /**
   * A batch the database refused for its data, written room by room so only the rooms it refuses
   * are lost. Each is reported with its request ID, counted, and marked seen so it is never
   * judged deleted. When every room of a larger batch is refused, the fault is not in a room:
   * the error stands.
   */
  private async writeOneByOne(rooms: ObservedRoom[], batchError: unknown): Promise<void> {
    const refused =
      rooms.length === 1 ? [{ observed: rooms[0]!, error: batchError }] : await this.writeEach(rooms);
    if (rooms.length > 1 && refused.length === rooms.length) throw batchError;
    for (const { observed, error } of refused) {
      this.totals.skipped += 1;
      this.options.logger?.warn(
        {
          room_id: observed.room.room_id,
          request_id: observed.requestId,
          reason: describeError(error, 300),
        },
        "skipped a room the database refused; the rest of its batch is stored",
      );
    }
    if (!this.options.dryRun) {
      await insertSeenIds(
        this.options.db,
        this.options.runId,
        refused.map(({ observed }) => observed.room.room_id),
      );
    }
  }

  /** Writes each room in a transaction of its own; those refused for their data are returned. */
  private async writeEach(rooms: ObservedRoom[]): Promise<Array<{ observed: ObservedRoom; error: unknown }>> {
    const refused: Array<{ observed: ObservedRoom; error: unknown }> = [];
    for (const observed of rooms) {
      try {
        this.accumulate(await this.apply([observed]));
      } catch (error) {
        if (!isDataError(error)) throw error;
        refused.push({ observed, error });
      }
    }
    return refused;
  }

  private accumulate(result: BatchResult): void {
    const t = this.totals;
    t.inserted += result.inserted;
    t.updated += result.updated;
    t.restored += result.restored;
    t.unchanged += result.unchanged;
    t.roomRowsWritten += result.roomRowsWritten;
    t.voiceRowsWritten += result.voiceRowsWritten;
    const room = (this.options.previewLimit ?? 50) - this.preview.length;
    if (room > 0) this.preview.push(...result.changes.slice(0, room));
  }
}

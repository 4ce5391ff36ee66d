import {
  applyRoomBatch,
  batchOf,
  prepareBatch,
  storeBatch,
  storedAfter,
  type BatchResult,
  type ObservedRoom,
  type PayloadRoom,
  type PlannedChange,
  type PreparedBatch,
  type StoredRooms,
} from "./apply-room-batch.js";
import { analyzeRoomTables } from "../db/analyze-room-tables.js";
import type { Db } from "../db/database.js";
import { insertSeenIds } from "../db/seen-rooms.js";
import { describeError } from "../describe-error.js";
import type { Logger } from "../logger.js";
import { isDataError, writeEach } from "./is-data-error.js";
import { addBatchResult, newWriterTotals, type WriterTotals } from "./writer-totals.js";

export type { WriterTotals };

/**
 * Collects rooms from concurrent page fetches and writes them in batches, one statement at a time.
 * `add` waits while a full batch is being written, which bounds memory however fast pages arrive.
 */
export class RoomWriter {
  readonly totals: WriterTotals = newWriterTotals();
  /** A dry run's would-be changes, the first `previewLimit` of them. */
  readonly preview: PlannedChange[] = [];
  /** A dry run writes no `sync_seen_rooms` rows, so it remembers what it saw here instead. */
  readonly seenInDryRun = new Set<string>();
  private buffer: ObservedRoom[] = [];
  /** afterWrites tasks waiting for the buffer's rooms to be committed, in order. */
  private bufferTasks: Array<() => Promise<void>> = [];
  private chain: Promise<void> = Promise.resolve();
  /** Batches enqueued and not yet being written, oldest first. */
  private readonly queued: PayloadRoom[][] = [];
  /** The next batch, prepared while the batch before it is written. */
  private next: { batch: PayloadRoom[]; ready: Promise<PreparedBatch> } | undefined;
  /** The rooms the last batch wrote, as stored once it committed; see prepare. */
  private lastWritten: StoredRooms = new Map();
  /** The same for the batch being written, while it is. */
  private writing: StoredRooms | undefined;

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
    // Not a flush: a run in a thousand small windows would write a thousand partial batches, and
    // since only a full buffer waits for the writes before it, they would queue without bound
    // (a quiet second full run of 100,000 rooms peaked at 278 MB). The task waits for the
    // buffer's batch instead, written once the buffer fills or the run flushes.
    if (this.buffer.length > 0) this.bufferTasks.push(task);
    else this.then(task);
  }

  private enqueueBuffer(): void {
    const buffered = this.buffer;
    const tasks = this.bufferTasks;
    this.buffer = [];
    this.bufferTasks = [];
    // One page can hold far more rooms than a batch (a hostile 100k-item page): each batch is
    // its own transaction, so one statement never carries the whole page.
    const size = this.options.batchSize ?? 500;
    for (let start = 0; start < buffered.length; start += size) {
      // Hashed now, while the batch before is being written.
      const batch = batchOf(buffered.slice(start, start + size));
      if (batch.length === 0) continue;
      this.queued.push(batch);
      this.then(() => this.write(batch));
    }
    for (const task of tasks) this.then(task);
    this.prepareNext();
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

  private prepare(batch: PayloadRoom[], written: StoredRooms): Promise<PreparedBatch> {
    return prepareBatch(this.options.db, this.input(), batch, written);
  }

  /** Prepares the next queued batch while one is being written (see prepare), if not yet. */
  private prepareNext(): void {
    const following = this.queued[0];
    if (!this.writing || this.next || !following) return;
    this.next = { batch: following, ready: this.prepare(following, this.writing) };
    // Awaited by the next write; a failure here must not be an unhandled rejection.
    this.next.ready.catch(() => {});
  }

  /**
   * Writes one batch, prepared while the batch before it was written; once its statement is
   * sent, the next queued batch is prepared, so Postgres executes while node reads, decides and
   * serialises. A batch refused for its data is written room by room and the next is prepared
   * anew, since some of its rooms were not stored as the preparation assumed.
   */
  private async write(batch: PayloadRoom[]): Promise<void> {
    const started = performance.now();
    this.queued.shift();
    const ready = this.next?.batch === batch ? this.next.ready : undefined;
    this.next = undefined;
    try {
      const { input, decided, payload } = await (ready ?? this.prepare(batch, this.lastWritten));
      if (!input.dryRun) {
        // The next read is sent first, so it is never queued behind this write's connection.
        this.writing = storedAfter(decided.rooms);
        this.prepareNext();
        await storeBatch(this.options.db, input, decided, payload);
        this.lastWritten = this.writing;
        this.writing = undefined;
      }
      this.accumulate(decided.result);
    } catch (error) {
      this.writing = undefined;
      if (!isDataError(error)) throw error;
      this.next = undefined;
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
      rooms.length === 1
        ? [{ observed: rooms[0]!, error: batchError }]
        : await writeEach(rooms, async (observed) => this.accumulate(await this.apply([observed])));
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

  private accumulate(result: BatchResult): void {
    addBatchResult(this.totals, result);
    const room = (this.options.previewLimit ?? 50) - this.preview.length;
    if (room > 0) this.preview.push(...result.changes.slice(0, room));
  }
}

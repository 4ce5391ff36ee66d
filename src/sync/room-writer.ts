import {
  batchOf,
  prepareRoom,
  type BatchInput,
  type BatchResult,
  type ObservedRoom,
  type PayloadRoom,
  type PlannedChange,
  type PreparedBatch,
  type PreparedRoom,
} from "./apply-room-batch.js";
import { describeError } from "../describe-error.js";
import type { Logger } from "../logger.js";
import { isDataError, refusalsBlameRooms, writeEach } from "./is-data-error.js";
import { KeyedLanes } from "./keyed-lanes.js";
import type { RoomBatches } from "./room-batches.js";
import { RoomIdFilter } from "./room-id-filter.js";
import { addBatchResult, newWriterTotals, type WriterTotals } from "./writer-totals.js";

export type { WriterTotals };

/**
 * Batches a run reads and writes at once, each on a connection of its own (a lane reads its
 * batch's stored rooms, then writes it: one statement after the other). One statement at a time
 * keeps one Postgres backend busy while node waits for it: on two cores, a first full sync of
 * 100,000 rooms took 11.6 s with two lanes against 12.8 s with one, and with three its wall time
 * was 0.95x of two's (11 interleaved pairs, 0.91 to 1.12; README, Performance): a third statement
 * keeps both cores busy while a lane waits for its batch to be decided. The worker's pool counts
 * them (RUN_CONNECTIONS).
 */
export const WRITE_LANES = 3;

/**
 * Collects rooms from concurrent page fetches and writes them in batches, each one statement,
 * `writeLanes` statements at a time. `add` waits for everything before the previous batch, which
 * bounds memory however fast pages arrive.
 *
 * A room is never in two batches in flight: a batch holding a room of an earlier pending batch
 * is read and written only once that batch has settled, so its read sees the room as committed,
 * and versions of one room are written in the order they were added. Batches that share no room
 * are independent statements, so they may commit in any order.
 */
export class RoomWriter {
  readonly totals: WriterTotals = newWriterTotals();
  /** A dry run's would-be changes, the first `previewLimit` of them. */
  readonly preview: PlannedChange[] = [];
  private buffer: PreparedRoom[] = [];
  /** afterWrites tasks waiting for the buffer's rooms to be committed, in order. */
  private bufferTasks: Array<() => Promise<void>> = [];
  /** Settles once every batch and task enqueued so far has; rejects once one has failed. */
  private chain: Promise<void> = Promise.resolve();
  /** `chain` as it was before the last full buffer was enqueued; see add. */
  private beforePrevious: Promise<void> = Promise.resolve();
  /** Batches keyed by their room IDs: see KeyedLanes. */
  private readonly lanes: KeyedLanes;
  /** Batches being read or written right now, and since when; for `writeMs`. */
  private busy = { lanes: 0, since: 0 };
  /**
   * The rooms this run has handed to its writes, kept only while the project held none at the
   * start (a real run's): what the decision read would otherwise ask the database each batch.
   */
  private readonly written: RoomIdFilter | undefined;

  constructor(
    private readonly options: {
      /** Where the batches are read and written: Postgres, or a dry run's reads only. */
      batches: RoomBatches;
      projectId: string;
      runId: string;
      /** The project's first complete run is still to come: new rooms are `discovered`. @default false */
      discovering?: boolean;
      /**
       * The mirror held no room of the project when the run began, and the run writes: a batch of
       * rooms this run has not written yet is decided without reading the stored rooms (see
       * RoomIdFilter). Never for a dry run, whose rooms are never written.
       * @default false
       */
      unstoredAtStart?: boolean;
      /** @default 500 */
      batchSize?: number;
      /** Batches read and written at once. @default WRITE_LANES */
      writeLanes?: number;
      /** @default 50 */
      previewLimit?: number;
      now?: () => Date;
      /** Where a failed statistics refresh is reported; it does not fail the run. */
      logger?: Logger;
    },
  ) {
    this.lanes = new KeyedLanes(options.writeLanes ?? WRITE_LANES);
    this.written = options.unstoredAtStart ? new RoomIdFilter() : undefined;
  }

  /** Rooms inserted by this run at which the room tables are analyzed, once. */
  private analyzeAt = 2000;

  /**
   * Buffers rooms; a full buffer becomes a batch, written once a lane is free. Resolves once
   * everything before the previous batch is committed, so fetching overlaps writing but never
   * runs ahead of the lanes by more than a batch. Rejects once a write has failed.
   */
  async add(rooms: ObservedRoom[]): Promise<void> {
    if (this.lanes.failed) throw this.lanes.failed.error;
    // Prepared (hashed, serialised) as they come, and only that is kept: see PreparedRoom.
    for (const { room, requestId } of this.options.batches.admit(rooms)) {
      this.buffer.push(prepareRoom(room, requestId));
    }
    if (this.buffer.length < (this.options.batchSize ?? 500)) return;
    const beforeThis = this.chain;
    this.enqueueBuffer();
    // Everything enqueued before the previous batch, window records included: the previous batch
    // and this one may still be in flight, nothing older (with the next buffer's batch, three at
    // most, one per lane), so neither batches nor the records between them pile up however fast
    // pages arrive.
    const beforePrevious = this.beforePrevious;
    this.beforePrevious = beforeThis;
    await beforePrevious;
  }

  /**
   * Writes what is buffered; resolves once everything added so far is committed. Rejects once a
   * write has failed, but only after every batch still in flight has stopped: the run that fails
   * then releases its project lock with none of its statements running.
   */
  async flush(): Promise<void> {
    this.enqueueBuffer();
    await this.lanes.idle();
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
      const batch = batchOf(buffered.slice(start, start + size));
      if (batch.length > 0) this.enqueue(batch);
    }
    for (const task of tasks) this.then(task);
  }

  /** Queues a batch for a lane; see KeyedLanes for the order batches sharing a room keep. */
  private enqueue(batch: PayloadRoom[]): void {
    const ids = new Set(batch.map(({ prepared }) => prepared.id));
    const done = this.lanes.run(ids, () => this.timed(() => this.write(batch)));
    this.chain = Promise.all([this.chain, done]).then(() => undefined);
    // Marked handled here; whoever awaits the chain next still sees the rejection.
    this.chain.catch(() => {});
  }

  private then(task: () => Promise<void>): void {
    this.chain = this.chain.then(task);
    this.chain.catch(() => {});
  }

  private input(): BatchInput {
    return {
      projectId: this.options.projectId,
      runId: this.options.runId,
      observedAt: (this.options.now ?? (() => new Date()))(),
      discovering: this.options.discovering ?? false,
    };
  }

  private prepare(batch: PayloadRoom[]): Promise<PreparedBatch> {
    const written = this.written;
    if (written === undefined) return this.options.batches.prepare(this.input(), batch, false);
    // Asked and filled before the batch's write: a batch sharing a room with this one is prepared
    // only once this one has settled (KeyedLanes), and then finds the room here and reads it.
    const unstored = batch.every(({ prepared }) => !written.mightHold(prepared.id));
    for (const { prepared } of batch) written.add(prepared.id);
    return this.options.batches.prepare(this.input(), batch, unstored);
  }

  /** `totals.writeMs` counts the time any lane is busy, not each lane's time: it is a share of the run. */
  private async timed(work: () => Promise<void>): Promise<void> {
    if (this.busy.lanes++ === 0) this.busy.since = performance.now();
    try {
      await work();
    } finally {
      if (--this.busy.lanes === 0) this.totals.writeMs += performance.now() - this.busy.since;
    }
  }

  /**
   * Reads, decides and writes one batch: Postgres executes while node reads, decides and
   * serialises the batch of another lane. A batch refused for its data is written room by room.
   */
  private async write(batch: PayloadRoom[]): Promise<void> {
    try {
      const prepared = await this.prepare(batch);
      await this.options.batches.store(prepared);
      this.accumulate(prepared.decided.result);
    } catch (error) {
      if (!isDataError(error)) throw error;
      await this.writeOneByOne(
        batch.map(({ prepared }) => prepared),
        error,
      );
    }
    // A run filling the tables from (nearly) empty: see analyzeRoomTables for why one ANALYZE is
    // enough, and for the cost of none. Each costs a sample of the tables, jsonb included.
    if (this.totals.inserted >= this.analyzeAt) {
      this.analyzeAt = Number.POSITIVE_INFINITY;
      await this.options.batches
        .analyze()
        .catch((error: unknown) =>
          this.options.logger?.warn({ err: error }, "could not refresh the room tables' statistics"),
        );
    }
  }

  /**
   * A batch the database refused for its data, written room by room so only the rooms it refuses
   * are lost. Each is reported with its request ID, counted, and marked seen so it is never
   * judged deleted. When every room is refused, the refusals' SQLSTATE tells unstorable rooms
   * (skipped, even as the whole batch: a project's incremental batch may be just them) from a
   * database that stores no room (the error stands): see refusalsBlameRooms.
   */
  private async writeOneByOne(rooms: PreparedRoom[], batchError: unknown): Promise<void> {
    const refused =
      rooms.length === 1
        ? [{ room: rooms[0]!, error: batchError }]
        : await writeEach(rooms, async (room) =>
            this.accumulate(await this.options.batches.applyOne(this.input(), room)),
          );
    if (!refusalsBlameRooms(refused, rooms.length)) throw batchError;
    for (const { room, error } of refused) {
      this.totals.skipped += 1;
      this.options.logger?.warn(
        {
          room_id: room.id,
          request_id: room.requestId,
          reason: describeError(error, 300),
        },
        "skipped a room the database refused; the rest of its batch is stored",
      );
    }
    await this.options.batches.markSeen(
      this.options.runId,
      refused.map(({ room }) => room.id),
    );
  }

  private accumulate(result: BatchResult): void {
    addBatchResult(this.totals, result);
    const room = (this.options.previewLimit ?? 50) - this.preview.length;
    if (room > 0) this.preview.push(...result.changes.slice(0, room));
  }
}

/**
 * Short byte strings packed into shared chunks, for values many small objects keep for a while:
 * each prepared room's canonical bytes, from its page until its batch is written. As a Buffer of
 * its own (a view on Buffer's pool), each room held a typed array of ~150 bytes on V8's heap;
 * rooms waiting in batches are what scavenges find alive and copy, so every byte a waiting room
 * holds on the heap costs CPU. Here a room holds its chunk, an offset and a length.
 *
 * A chunk is never reused: it is freed by the garbage collector once no span in it is referenced,
 * so a span stays valid as long as its holder keeps its chunk. A room's spans pin at most one
 * chunk; a run's waiting rooms (a few batches) pin a few.
 */
export class ByteArena {
  private chunk: Buffer;
  private used = 0;

  /**
   * @param chunkBytes Size of each chunk; a value above a quarter of it gets a chunk of its own,
   *   so an outsized item never strands most of a chunk.
   * @default 262144
   */
  constructor(private readonly chunkBytes = 256 * 1024) {
    this.chunk = Buffer.allocUnsafe(chunkBytes);
  }

  /** A copy of `bytes`, as the chunk holding it and where. */
  store(bytes: Uint8Array): ByteSpan {
    if (bytes.length > this.chunkBytes / 4) return { chunk: Buffer.from(bytes), at: 0, size: bytes.length };
    if (this.used + bytes.length > this.chunk.length) {
      this.chunk = Buffer.allocUnsafe(this.chunkBytes);
      this.used = 0;
    }
    const at = this.used;
    this.chunk.set(bytes, at);
    this.used += bytes.length;
    return { chunk: this.chunk, at, size: bytes.length };
  }
}

/** Where a stored value lies: `chunk[at, at + size)`. */
export interface ByteSpan {
  chunk: Buffer;
  at: number;
  size: number;
}

/** The span's bytes, sharing its chunk's memory. */
export function spanBytes(span: ByteSpan): Buffer {
  return span.chunk.subarray(span.at, span.at + span.size);
}

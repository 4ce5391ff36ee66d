import type { ByteSpan } from "./byte-arena.js";

/**
 * JSON written straight into UTF-8 bytes, for what node builds per room and per batch (the
 * canonical item, the write's parameter). As strings, each room's JSON was built from pieces,
 * flattened, then encoded into a Buffer, and V8 keeps text with any non-Latin-1 character at two
 * bytes a character: a 100,000-room full sync allocated ~600 MB for it, and the scavenges that
 * garbage brought were a tenth of node's CPU. Written here, text is encoded once, in place.
 *
 * Strings are written as JSON.stringify writes them, then encoded as Buffer.from encodes, so
 * the bytes equal `Buffer.from(JSON.stringify(value))` (test/sync/json-bytes.test.ts).
 */
export class JsonBytes {
  private buffer: Buffer;
  /** Bytes written so far. */
  length = 0;

  /**
   * @param initialBytes Capacity to start with; it doubles as needed.
   * @default 65536
   */
  constructor(private readonly initialBytes = 64 * 1024) {
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  /**
   * Starts over, reusing the buffer unless an outsized input grew it past `keepBytes`: a scratch
   * writer would otherwise hold on to the largest item it ever saw.
   */
  reset(keepBytes = 1024 * 1024): void {
    this.length = 0;
    if (this.buffer.length > keepBytes) this.buffer = Buffer.allocUnsafe(this.initialBytes);
  }

  /** Bytes it can hold before it grows. */
  get capacity(): number {
    return this.buffer.length;
  }

  /** What was written, sharing this writer's memory: valid until the next write or reset. */
  view(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  /** Text known to be ASCII with nothing to escape: punctuation, numbers, ISO times, hashes. */
  ascii(text: string): void {
    this.reserve(text.length);
    const buffer = this.buffer;
    let at = this.length;
    for (let i = 0; i < text.length; i += 1) buffer[at++] = text.charCodeAt(i);
    this.length = at;
  }

  /** Any text, unquoted, encoded as Buffer.from encodes it. */
  text(text: string): void {
    this.reserve(Buffer.byteLength(text));
    this.length += this.buffer.write(text, this.length);
  }

  bytes(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    const buffer = this.buffer;
    const at = this.length;
    // A loop beats the native copy's call for the short runs (quoted keys) most calls are.
    if (bytes.length > 32) buffer.set(bytes, at);
    else for (let i = 0; i < bytes.length; i += 1) buffer[at + i] = bytes[i]!;
    this.length = at + bytes.length;
  }

  /** Bytes kept in a ByteArena, copied without a view on them. */
  span({ chunk, at, size }: ByteSpan): void {
    this.reserve(size);
    chunk.copy(this.buffer, this.length, at, at + size);
    this.length += size;
  }

  /**
   * `value` quoted as JSON.stringify quotes it. Text with nothing to escape, nearly all of it, is
   * encoded here a character at a time; a quote, backslash, control character or lone surrogate
   * sends the whole string to JSON.stringify instead, whose output has nothing left to escape.
   */
  string(value: string): void {
    // Three bytes a character is the most UTF-8 takes; a long string (a hostile item's) is
    // measured instead, so the buffer grows to about its size, not three times it.
    this.reserve((value.length > EXACT_RESERVE_CHARS ? Buffer.byteLength(value) : value.length * 3) + 2);
    const buffer = this.buffer;
    let at = this.length;
    buffer[at++] = QUOTE;
    for (let i = 0; i < value.length; i += 1) {
      const code = value.charCodeAt(i);
      if (code < 0x80) {
        if (code < 0x20 || code === QUOTE || code === BACKSLASH) return this.text(JSON.stringify(value));
        buffer[at++] = code;
      } else if (code < 0x800) {
        buffer[at++] = 0xc0 | (code >> 6);
        buffer[at++] = 0x80 | (code & 0x3f);
      } else if (code < 0xd800 || code > 0xdfff) {
        buffer[at++] = 0xe0 | (code >> 12);
        buffer[at++] = 0x80 | ((code >> 6) & 0x3f);
        buffer[at++] = 0x80 | (code & 0x3f);
      } else {
        const low = value.charCodeAt(i + 1);
        if (code > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) return this.text(JSON.stringify(value));
        const point = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        buffer[at++] = 0xf0 | (point >> 18);
        buffer[at++] = 0x80 | ((point >> 12) & 0x3f);
        buffer[at++] = 0x80 | ((point >> 6) & 0x3f);
        buffer[at++] = 0x80 | (point & 0x3f);
        i += 1;
      }
    }
    buffer[at++] = QUOTE;
    this.length = at;
  }

  /** A string, or `null` for null or undefined. */
  stringOrNull(value: string | null | undefined): void {
    if (value == null) this.ascii("null");
    else this.string(value);
  }

  private reserve(bytes: number): void {
    const needed = this.length + bytes;
    if (needed <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}

/** Above this many characters `string` measures its text before reserving room for it. */
const EXACT_RESERVE_CHARS = 4096;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Room IDs a run has handed to its writes, as a Bloom filter: `mightHold` is true for every ID
 * added, and for a few others. The writer of a run on a project that held no room when it began
 * asks it whether a batch can meet a row at all: a batch of IDs it never added needs no read of
 * the stored rooms, since none can exist (the project lock keeps every other writer out, and this
 * run has not written them). An ID it did add (windows overlap, passes repeat, a room edited during
 * the run comes again) is read as always. A false positive costs only that read: correctness never
 * rests on a "maybe", only on a "no", and a Bloom filter never answers "no" for an ID it holds.
 *
 * Fixed size whatever the project: 2^24 bits (2 MiB), three probes. At 1,000,000 IDs about 0.5%
 * of the IDs never added answer "maybe" (a batch of 500 then is read most of the time: past a few
 * hundred thousand rooms the filter saves less, never more memory than this).
 */
export class RoomIdFilter {
  private readonly bits = new Uint32Array(WORDS);

  add(id: string): void {
    const [a, b] = hashes(id);
    for (let i = 0; i < PROBES; i += 1) {
      const bit = (a + i * b) & MASK;
      this.bits[bit >>> 5]! |= 1 << (bit & 31);
    }
  }

  /** False only for an ID never added. */
  mightHold(id: string): boolean {
    const [a, b] = hashes(id);
    for (let i = 0; i < PROBES; i += 1) {
      const bit = (a + i * b) & MASK;
      if ((this.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

const BITS_LOG2 = 24;
const MASK = (1 << BITS_LOG2) - 1;
const WORDS = (1 << BITS_LOG2) / 32;
const PROBES = 3;

/** Two 32-bit hashes of the UTF-16 code units (FNV-1a, and the same walk with another multiplier); the second made odd. */
function hashes(id: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < id.length; i += 1) {
    const unit = id.charCodeAt(i);
    a = Math.imul(a ^ unit, 0x01000193);
    b = Math.imul(b ^ unit, 0x5bd1e995);
  }
  return [a >>> 0, (b | 1) >>> 0];
}

import { sortStrings } from "./canonical-json.js";

/**
 * An item's top-level field names, sorted, as one array shared by every item with the same names.
 * A new room's change names all its fields, so the writer keeps them from the room's page to its
 * batch's write; as an array of its own per room they were a quarter of what a prepared room
 * holds on the heap (about 190 of 740 bytes), and rooms waiting in batches are what scavenges
 * copy. An upstream sends the same few key sets over and over: the last one matches nearly every
 * time, by identity of its (internalized) keys, with no string built to look it up.
 *
 * The cache is bounded in entries and in names per entry: keys come from the upstream, and past
 * the bound a room gets a sorted array of its own, as before.
 */
export function sortedFieldNames(item: object): readonly string[] {
  const names = Object.keys(item);
  if (names.length > MAX_CACHED_NAMES) return sortStrings(names);
  if (last !== undefined && sameNames(last.names, names)) return last.sorted;
  for (const entry of entries) {
    if (sameNames(entry.names, names)) {
      last = entry;
      return entry.sorted;
    }
  }
  const entry = { names, sorted: Object.freeze(sortStrings([...names])) };
  if (entries.length < MAX_ENTRIES) entries.push(entry);
  last = entry;
  return entry.sorted;
}

/** Key sets remembered; the simulator's rooms come in a few dozen. */
const MAX_ENTRIES = 64;
/** Names of one item above which it is not remembered (rooms have about 15). */
const MAX_CACHED_NAMES = 64;

interface Entry {
  /** In the order the item listed them, to compare the next item's with. */
  names: string[];
  sorted: readonly string[];
}

const entries: Entry[] = [];
let last: Entry | undefined;

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

/** How many key sets are remembered; for tests of its bound. */
export function cachedFieldSets(): number {
  return entries.length;
}

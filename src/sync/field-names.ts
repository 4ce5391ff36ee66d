import { sortStrings } from "./canonical-json.js";

/**
 * An item's top-level field names, sorted, as one array shared by every item with the same names.
 * A new room's change names all its fields, so the writer keeps them from the room's page to its
 * batch's write; as an array of its own per room they were a quarter of what a prepared room
 * holds on the heap (about 190 of 740 bytes), and rooms waiting in batches are what scavenges
 * copy. An upstream sends the same key sets over and over, compared by identity of their
 * (internalized) keys, with no string built to look them up.
 *
 * The cache is bounded in entries, in names per entry and in characters per name: keys come from
 * the upstream and are kept for the process's life, and past a bound a room gets a sorted array of
 * its own, as before. A hostile set of names colliding in
 * one bucket costs a comparison each, at most MAX_ENTRIES.
 */
export function sortedFieldNames(item: object): readonly string[] {
  const names = Object.keys(item);
  if (names.length > MAX_CACHED_NAMES) return sortStrings(names);
  if (last !== undefined && sameNames(last.names, names)) return last.sorted;
  // Rooms leave optional fields out, so one upstream shows dozens to hundreds of sets (the
  // simulator's 800 rooms, 158): they are looked up by a sum of their names, not one by one.
  const key = namesKey(names);
  if (key === undefined) return sortStrings(names);
  const bucket = buckets.get(key);
  const found = bucket?.find((entry) => sameNames(entry.names, names));
  if (found !== undefined) return (last = found).sorted;
  const entry = { names, sorted: Object.freeze(sortStrings([...names])) };
  if (size < MAX_ENTRIES) {
    if (bucket === undefined) buckets.set(key, [entry]);
    else bucket.push(entry);
    size += 1;
  }
  last = entry;
  return entry.sorted;
}

/** Key sets remembered. */
const MAX_ENTRIES = 1024;
/** Names of one item above which it is not remembered (rooms have about 15). */
const MAX_CACHED_NAMES = 64;
/** Characters of a name above which its item is not remembered. */
const MAX_CACHED_NAME_CHARS = 64;

interface Entry {
  /** In the order the item listed them, to compare the next item's with. */
  names: string[];
  sorted: readonly string[];
}

const buckets = new Map<number, Entry[]>();
let size = 0;
let last: Entry | undefined;

/**
 * A number that tells most sets apart (their size and their names' lengths and ends), or
 * undefined for a set not to remember.
 */
function namesKey(names: readonly string[]): number | undefined {
  let key = names.length;
  for (const name of names) {
    if (name.length > MAX_CACHED_NAME_CHARS) return undefined;
    key = (key * 31 + name.length * 7 + name.charCodeAt(name.length - 1)) | 0;
  }
  return key;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

/** How many key sets are remembered; for tests of its bound. */
export function cachedFieldSets(): number {
  return size;
}

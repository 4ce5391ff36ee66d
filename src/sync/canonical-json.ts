import { JsonBytes } from "./json-bytes.js";

/** Where canonicalBytes writes; reused, since every room of a run passes through it. */
const scratch = new JsonBytes();

/**
 * JSON with object keys sorted at every depth, so equal content always hashes equally. Keys whose
 * value is undefined are left out, as JSON.stringify leaves them out. Stored content hashes are
 * the sha256 of these bytes, so they must never change (a different byte would make every stored
 * room look changed once; bench/hash.ts and the tests check them against the original
 * implementation). Not a sorted copy handed to JSON.stringify: V8 orders integer-like keys ("10"
 * before "9") in every object, and a "__proto__" key would set the prototype instead of being
 * written. Written straight into UTF-8 (see JsonBytes for what that saves); the result shares a
 * scratch writer and is valid until the next call.
 */
export function canonicalBytes(value: unknown): Buffer {
  scratch.reset();
  writeCanonicalJson(scratch, value);
  return scratch.view();
}

/** canonicalBytes as text, for comparing values; an undefined value is the empty string. */
export function canonicalJson(value: unknown): string {
  return canonicalBytes(value).toString();
}

/**
 * Above this many keys an object's keys are sorted natively: insertion sort is quadratic, and
 * one hostile object may carry thousands of keys. Rooms have about 15.
 */
const INSERTION_SORT_MAX = 32;

/**
 * `Object.keys(record).sort()`, the same order (UTF-16 code units), with fewer allocations: the
 * native sort's temporary storage was a seventh of what a full sync allocated, and every
 * allocation here brings the next scavenge sooner.
 */
export function sortedKeys(record: object): string[] {
  return sortStrings(Object.keys(record));
}

/**
 * Sorts `strings` in place, in the default sort's order: `>` compares UTF-16 code units, as
 * `Array.prototype.sort` without a comparator does. Insertion sort allocates nothing; past
 * INSERTION_SORT_MAX it would be quadratic, so larger arrays take the native sort.
 */
export function sortStrings(strings: string[]): string[] {
  if (strings.length > INSERTION_SORT_MAX) return strings.sort();
  for (let i = 1; i < strings.length; i += 1) {
    const text = strings[i]!;
    let j = i - 1;
    while (j >= 0 && strings[j]! > text) {
      strings[j + 1] = strings[j]!;
      j -= 1;
    }
    strings[j + 1] = text;
  }
  return strings;
}

/** canonicalBytes of `value`, appended to `out`. */
export function writeCanonicalJson(out: JsonBytes, value: unknown): void {
  if (typeof value === "string") return out.string(value);
  if (typeof value === "number") return out.ascii(Number.isFinite(value) ? String(value) : "null");
  if (typeof value === "boolean") return out.ascii(value ? "true" : "false");
  if (value === null) return out.ascii("null");
  // What JSON cannot hold (a parsed body never does) is written as the original implementation
  // wrote it: JSON.stringify's text, where undefined is nothing, and "undefined" after a key.
  if (typeof value !== "object") return out.text(JSON.stringify(value) ?? "");
  if (Array.isArray(value)) {
    out.byte(BRACKET_OPEN);
    for (let i = 0; i < value.length; i += 1) {
      if (i > 0) out.byte(COMMA);
      writeCanonicalJson(out, value[i]);
    }
    return out.byte(BRACKET_CLOSE);
  }
  const record = value as Record<string, unknown>;
  const keys = sortedKeys(record);
  out.byte(BRACE_OPEN);
  let first = true;
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i]!;
    const item = record[key];
    if (item === undefined) continue;
    if (!first) out.byte(COMMA);
    first = false;
    out.bytes(keyPrefixBytes(key));
    if (
      typeof item === "object" ||
      typeof item === "string" ||
      typeof item === "number" ||
      typeof item === "boolean"
    )
      writeCanonicalJson(out, item);
    else out.text(String(JSON.stringify(item)));
  }
  out.byte(BRACE_CLOSE);
}

const [BRACKET_OPEN, BRACKET_CLOSE, BRACE_OPEN, BRACE_CLOSE, COMMA] = [0x5b, 0x5d, 0x7b, 0x7d, 0x2c];

/**
 * `"key":` in UTF-8 for the keys seen most, made once. Keys come from the upstream, so the cache
 * is bounded in entries and in key length: past the bound keys are quoted each time.
 */
const keyPrefixes = new Map<string, Buffer>();
const KEY_PREFIXES_MAX = 1_000;
const CACHED_KEY_MAX_CHARS = 64;

function keyPrefixBytes(key: string): Buffer {
  let prefix = keyPrefixes.get(key);
  if (prefix !== undefined) return prefix;
  prefix = Buffer.from(`${JSON.stringify(key)}:`);
  if (keyPrefixes.size < KEY_PREFIXES_MAX && key.length <= CACHED_KEY_MAX_CHARS) keyPrefixes.set(key, prefix);
  return prefix;
}

/** How many keys the quoting cache holds; for tests of its bound. */
export function cachedKeyCount(): number {
  return keyPrefixes.size;
}

import type { JsonBytes } from "./json-bytes.js";

/**
 * JSON with object keys sorted at every depth, so equal content always hashes equally. Keys whose
 * value is undefined are left out, as JSON.stringify leaves them out. Built in one pass into one
 * string: stored content hashes are this string's sha256, so its exact output must never change
 * (a different byte would make every stored room look changed once; bench/hash.ts checks it
 * against the original implementation). Not a sorted copy handed to JSON.stringify: V8 orders
 * integer-like keys ("10" before "9") in every object, and a "__proto__" key would set the
 * prototype instead of being written.
 */
export function canonicalJson(value: unknown): string {
  if (typeof value !== "object" || value === null) {
    // JSON.stringify writes a finite number as String does (-0 as 0, 1e21 as 1e+21); NaN and
    // the infinities, which it writes as null, go to it, as does everything else.
    if (typeof value === "number" && Number.isFinite(value)) return String(value);
    if (typeof value === "boolean") return value ? "true" : "false";
    // JSON.stringify escapes only what NEEDS_ESCAPE finds (quote, backslash, control characters,
    // lone surrogates; pairs are sent to it too): text with none of them, most strings of a
    // room, is written as it is, without JSON.stringify's set-up per call.
    if (typeof value === "string" && !NEEDS_ESCAPE.test(value)) return `"${value}"`;
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i += 1) {
      if (i > 0) out += ",";
      // An undefined element is written as nothing, as Array.prototype.join writes it.
      out += canonicalJson(value[i]) ?? "";
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = sortedKeys(record);
  let out = "{";
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i]!;
    const item = record[key];
    if (item === undefined) continue;
    if (out.length > 1) out += ",";
    out += keyPrefix(key) + canonicalJson(item);
  }
  return `${out}}`;
}

// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

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

/**
 * canonicalJson's bytes, `Buffer.from(canonicalJson(value))`, written into `out` without making
 * the string (see JsonBytes for what that saves). Same walk, same order, same text.
 */
export function writeCanonicalJson(out: JsonBytes, value: unknown): void {
  if (typeof value === "string") return out.string(value);
  if (typeof value === "number") return out.ascii(Number.isFinite(value) ? String(value) : "null");
  if (typeof value === "boolean") return out.ascii(value ? "true" : "false");
  if (value === null) return out.ascii("null");
  // What JSON cannot hold (a parsed body never does): the text canonicalJson makes of it, where
  // undefined is written as nothing here and as "undefined" after a key (the caller's `?? ""`).
  if (typeof value !== "object") return out.text(canonicalJson(value) ?? "");
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
    else out.text(String(canonicalJson(item)));
  }
  out.byte(BRACE_CLOSE);
}

const [BRACKET_OPEN, BRACKET_CLOSE, BRACE_OPEN, BRACE_CLOSE, COMMA] = [0x5b, 0x5d, 0x7b, 0x7d, 0x2c];

/**
 * `"key":` of the keys seen most, made once. Keys come from the upstream, so the cache is
 * bounded in entries and in key length: past the bound keys are quoted each time, as before.
 */
const keyPrefixes = new Map<string, string>();
const KEY_PREFIXES_MAX = 1_000;
const CACHED_KEY_MAX_CHARS = 64;

function keyPrefix(key: string): string {
  let prefix = keyPrefixes.get(key);
  if (prefix !== undefined) return prefix;
  prefix = `${JSON.stringify(key)}:`;
  if (keyPrefixes.size < KEY_PREFIXES_MAX && key.length <= CACHED_KEY_MAX_CHARS) keyPrefixes.set(key, prefix);
  return prefix;
}

/** keyPrefix in UTF-8, under the same bounds. */
const keyPrefixBuffers = new Map<string, Buffer>();

function keyPrefixBytes(key: string): Buffer {
  let prefix = keyPrefixBuffers.get(key);
  if (prefix !== undefined) return prefix;
  prefix = Buffer.from(keyPrefix(key));
  if (keyPrefixBuffers.size < KEY_PREFIXES_MAX && key.length <= CACHED_KEY_MAX_CHARS)
    keyPrefixBuffers.set(key, prefix);
  return prefix;
}

/** How many keys the quoting caches hold, the larger; for tests of their bound. */
export function cachedKeyCount(): number {
  return Math.max(keyPrefixes.size, keyPrefixBuffers.size);
}

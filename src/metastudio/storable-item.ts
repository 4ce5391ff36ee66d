/**
 * What Postgres cannot store, checked per item before any batch sees it, so one hostile item
 * is skipped or normalised instead of failing the 500 rooms written with it, on every retry:
 * - `room_id` is in every btree key (rooms, voices, changes, seen rooms): one too long for an
 *   index entry (~2.7 kB) fails the insert, so an ID over MAX_ROOM_ID_CHARS is refused;
 * - text and jsonb cannot hold U+0000, and jsonb refuses a lone surrogate: both are replaced
 *   with U+FFFD, in keys and values, and the item is stored normalised (noted in a warning);
 * - nesting deeper than MAX_DEPTH is refused: hashing and jsonb both recurse over it.
 * Long names are the writer's (room-record's indexedText): the typed column is clipped, `raw`
 * keeps the text as received.
 */

/** Real room IDs are 32 hex characters; 255 leaves room for any format and fits every index. */
export const MAX_ROOM_ID_CHARS = 255;

/** Levels of objects and arrays in one item; real rooms have 3. */
export const MAX_DEPTH = 32;

export type StorableCheck = { ok: true; item: unknown; normalised: string[] } | { ok: false; reason: string };

/** The item ready to store (a normalised copy when needed), or why it cannot be stored at all. */
export function checkStorable(item: unknown): StorableCheck {
  const { depth, unstorableText } = scanItem(item, MAX_DEPTH + 1);
  if (depth > MAX_DEPTH) return { ok: false, reason: `item: nested deeper than ${MAX_DEPTH} levels` };
  const id = (item as { room_id?: unknown } | null)?.room_id;
  if (typeof id === "string" && id.length > MAX_ROOM_ID_CHARS) {
    return { ok: false, reason: `room_id: ${id.length} characters, more than ${MAX_ROOM_ID_CHARS}` };
  }
  // Nearly every item is clean: it is checked without being copied, and copied only when not.
  if (!unstorableText) return { ok: true, item, normalised: [] };
  const normalised: string[] = [];
  return { ok: true, item: normalise(item, "item", normalised), normalised };
}

/** Depth of nested objects and arrays, counted only up to `limit`. */
export function nestingDepth(value: unknown, limit: number): number {
  return scanItem(value, limit).depth;
}

/**
 * One walk over the item for both checks, allocating nothing per node: its depth (up to `limit`,
 * so the recursion is never deeper than `limit` however deep the item) and whether any string or
 * key holds what normalise replaces. A full sync checks every room, so a walk per check, a tuple
 * per node and a regex per string were a twelfth of what it allocated.
 */
function scanItem(value: unknown, limit: number): { depth: number; unstorableText: boolean } {
  unstorableSeen = false;
  const depth = deepestBelow(value, 0, limit);
  return { depth, unstorableText: unstorableSeen };
}

/** Set by deepestBelow; read and reset by scanItem only (one walk at a time: it is synchronous). */
let unstorableSeen = false;

/** The deepest level reached from `value`, whose `above` containers enclose it. */
function deepestBelow(value: unknown, above: number, limit: number): number {
  if (typeof value === "string") {
    if (!unstorableSeen && isUnstorable(value)) unstorableSeen = true;
    return above;
  }
  if (value === null || typeof value !== "object") return above;
  const level = above + 1;
  if (level >= limit) return level;
  let deepest = level;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && deepest < limit; i += 1) {
      deepest = Math.max(deepest, deepestBelow(value[i], level, limit));
    }
    return deepest;
  }
  for (const key in value) {
    if (!unstorableSeen && isUnstorable(key)) unstorableSeen = true;
    deepest = Math.max(deepest, deepestBelow((value as Record<string, unknown>)[key], level, limit));
    if (deepest >= limit) break;
  }
  return deepest;
}

/**
 * Whether `text` holds a lone surrogate or NUL: the characters UNSTORABLE matches, found by
 * native checks instead of a regex (String.prototype.isWellFormed is Node 20's; its type is in
 * lib ES2024, after this project's ES2023).
 */
function isUnstorable(text: string): boolean {
  return !(text as unknown as { isWellFormed(): boolean }).isWellFormed() || text.includes("\u0000");
}

// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Characters of a btree-indexed text column (room_name, model_asset_id): 4 bytes each at most,
 * 2 kB in all, under the ~2.7 kB an index entry may take with the project ID beside it.
 */
export const MAX_INDEXED_CHARS = 512;

/** The typed column's value of an indexed text: clipped to fit the index; `raw` keeps it all. */
export function indexedText(text: string | null | undefined): string | null {
  if (text == null) return null;
  return text.length <= MAX_INDEXED_CHARS ? text : cleanText(text.slice(0, MAX_INDEXED_CHARS));
}

/** False for text Postgres cannot hold in any column (NUL, a lone surrogate) or index (too long). */
export function isStorableId(text: string): boolean {
  return text.length <= MAX_ROOM_ID_CHARS && cleanText(text) === text;
}

function cleanText(text: string): string {
  return text.replace(UNSTORABLE, "\ufffd");
}

/** A copy with unstorable characters replaced; `paths` collects where (bounded to a few). */
function normalise(value: unknown, path: string, paths: string[]): unknown {
  if (typeof value === "string") {
    const clean = cleanText(value);
    if (clean !== value && paths.length < 5) paths.push(path);
    return clean;
  }
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((entry, i) => normalise(entry, `${path}[${i}]`, paths));
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    const cleanKey = cleanText(key);
    if (cleanKey !== key && paths.length < 5) paths.push(`${path} key`);
    out[cleanKey] = normalise(entry, `${path}.${cleanKey}`, paths);
  }
  return out;
}

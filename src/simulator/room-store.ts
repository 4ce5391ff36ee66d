import type { RoomItem } from "./dataset.js";
import { ItemTexts } from "./item-texts.js";
import { counted, totalsOf, type ListTotals } from "./list-totals.js";
import { fieldOf, SortedView, type SortOrder, type StoredRoom } from "./sorted-view.js";

export type { SortOrder };
export type FilterField = "update_time" | "create_time" | "ignored";

export interface ListQuery {
  offset: number;
  limit: number;
  roomName?: string | undefined;
  modelName?: string | undefined;
  start?: number | undefined;
  end?: number | undefined;
}

export interface ListBehaviour {
  timeFilterField: FilterField;
  endTimeInclusive: boolean;
  order: SortOrder;
  unstableOrder: boolean;
}

export interface ListResult extends ListTotals {
  count: number;
  page: unknown[];
  /** `page` as a JSON array in UTF-8, from each item's kept text where there is one (ItemTexts). */
  pageText: Buffer;
}

function seconds(value: unknown): number {
  const parsed = typeof value === "string" ? Date.parse(value) : Number.NaN;
  return Number.isNaN(parsed) ? 0 : Math.floor(parsed / 1000);
}

/**
 * One project's rooms: the upstream's truth. Each list request is computed from the current
 * state, as a database-backed API would, so rooms changed between two requests shift pages.
 * Sorted views are cached per order (SortedView) and kept up to date after a change; a time filter
 * on the sort field is answered by binary search, so paging through 100k rooms stays cheap.
 */
export class RoomStore {
  private readonly rooms = new Map<string, StoredRoom>();
  private readonly sorted = new Map<SortOrder, SortedView>();
  private injected = 0;

  /** @param texts where rooms' JSON text is kept; shared by a simulator's projects. */
  constructor(
    items: Iterable<RoomItem>,
    private readonly texts = new ItemTexts(),
  ) {
    for (const item of items) this.put(item.room_id, item);
  }

  put(key: string, item: unknown): void {
    const record = item as { update_time?: unknown; create_time?: unknown };
    this.retire(key);
    this.rooms.set(key, {
      key,
      item,
      text: this.texts.keep(item),
      update: seconds(record.update_time),
      create: seconds(record.create_time),
      counts: counted(item),
      stale: false,
    });
    this.changed(key);
  }

  /** A raw item under a key of its own, whatever it holds (it may have no room_id at all). */
  inject(item: unknown): void {
    const id = (item as { room_id?: unknown } | null)?.room_id;
    this.injected += 1;
    this.put(typeof id === "string" ? id : `__injected_${this.injected}`, item);
  }

  get(key: string): unknown {
    return this.rooms.get(key)?.item;
  }

  delete(key: string): boolean {
    this.retire(key);
    const deleted = this.rooms.delete(key);
    if (deleted) this.changed(key);
    return deleted;
  }

  private retire(key: string): void {
    const prior = this.rooms.get(key);
    if (!prior) return;
    this.texts.release(prior.text);
    prior.stale = true;
  }

  private changed(key: string): void {
    for (const [order, view] of this.sorted) if (!view.noteChange(key)) this.sorted.delete(order);
  }

  keys(): string[] {
    return [...this.rooms.keys()];
  }

  get size(): number {
    return this.rooms.size;
  }

  items(): unknown[] {
    return [...this.rooms.values()].map((stored) => stored.item);
  }

  list(query: ListQuery, behaviour: ListBehaviour, random: () => number): ListResult {
    const view = this.view(behaviour.order);
    const field = fieldOf(behaviour.order);
    let from = 0;
    let to = view.rooms.length;
    let matched: StoredRoom[] | undefined;
    if (behaviour.timeFilterField === "ignored" || (query.start === undefined && query.end === undefined)) {
      // The whole list.
    } else if (behaviour.timeFilterField.startsWith(field)) {
      [from, to] = rangeOf(view.rooms, field, query, behaviour);
    } else {
      const other = field === "update" ? "create" : "update";
      matched = view.rooms.filter((stored) => inWindow(stored[other], query, behaviour.endTimeInclusive));
    }
    if (query.roomName) {
      const needle = query.roomName.toLowerCase();
      matched = (matched ?? view.rooms.slice(from, to)).filter((s) =>
        text((s.item as { room_name?: unknown }).room_name).includes(needle),
      );
    }
    if (query.modelName) {
      const needle = query.modelName.toLowerCase();
      matched = (matched ?? view.rooms.slice(from, to)).filter((s) =>
        text((s.item as { model_infos?: { asset_name?: unknown } }).model_infos?.asset_name).includes(needle),
      );
    }
    if (matched === undefined && view.totals.exact && !behaviour.unstableOrder) {
      const start = Math.min(to, from + query.offset);
      return answer(
        to - from,
        view.totals.between(from, to),
        view.rooms.slice(start, Math.min(to, start + query.limit)),
      );
    }
    matched ??= view.rooms.slice(from, to);
    const totals = totalsOf(matched);
    if (behaviour.unstableOrder) matched = shuffleTies(matched, field, random);
    return answer(matched.length, totals, matched.slice(query.offset, query.offset + query.limit));
  }

  private view(order: SortOrder): SortedView {
    const cached = this.sorted.get(order);
    const view = cached ? cached.refreshed(this.rooms) : SortedView.of(this.rooms.values(), order);
    this.sorted.set(order, view);
    return view;
  }
}

const [OPEN, COMMA, CLOSE] = ["[", ",", "]"].map((text) => Buffer.from(text)) as [Buffer, Buffer, Buffer];

function answer(count: number, totals: ListTotals, page: StoredRoom[]): ListResult {
  const parts: Buffer[] = [OPEN];
  page.forEach((s, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(s.text ?? ItemTexts.serialise(s.item));
  });
  parts.push(CLOSE);
  return { count, ...totals, page: page.map((s) => s.item), pageText: Buffer.concat(parts) };
}

/** Fuzzy matching compares lower-cased text; a missing or non-text field matches nothing. */
function text(value: unknown): string {
  return typeof value === "string" ? value.toLowerCase() : "";
}

function inWindow(time: number, query: ListQuery, endInclusive: boolean): boolean {
  if (query.start !== undefined && time < query.start) return false;
  if (query.end !== undefined && (endInclusive ? time > query.end : time >= query.end)) return false;
  return true;
}

/** Where the contiguous run of a sorted view inside the window starts and ends, by binary search. */
function rangeOf(
  view: StoredRoom[],
  field: "update" | "create",
  query: ListQuery,
  behaviour: ListBehaviour,
): [number, number] {
  const ascending = behaviour.order.endsWith("_asc");
  // In view order, "before the window" is a prefix and "after the window" is a suffix.
  const beforeWindow = (s: StoredRoom) =>
    ascending ? query.start !== undefined && s[field] < query.start : !inUpper(s[field], query, behaviour);
  const inOrBefore = (s: StoredRoom) =>
    ascending ? inUpper(s[field], query, behaviour) : query.start === undefined || s[field] >= query.start;
  const from = firstIndex(view, (s) => !beforeWindow(s));
  const to = firstIndex(view, (s) => !inOrBefore(s));
  return [from, Math.max(from, to)];
}

function inUpper(time: number, query: ListQuery, behaviour: ListBehaviour): boolean {
  if (query.end === undefined) return true;
  return behaviour.endTimeInclusive ? time <= query.end : time < query.end;
}

/** First index whose element satisfies a predicate that is false then true along the array. */
function firstIndex<T>(items: T[], predicate: (item: T) => boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (predicate(items[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Rooms with equal sort keys in a fresh random order: what an unstable ORDER BY returns. */
function shuffleTies(items: StoredRoom[], field: "update" | "create", random: () => number): StoredRoom[] {
  const result = [...items];
  for (let start = 0; start < result.length;) {
    let end = start + 1;
    while (end < result.length && result[end]![field] === result[start]![field]) end += 1;
    for (let i = end - 1; i > start; i -= 1) {
      const j = start + Math.floor(random() * (i - start + 1));
      [result[i], result[j]] = [result[j]!, result[i]!];
    }
    start = end;
  }
  return result;
}

import type { RoomItem } from "./dataset.js";

export type SortOrder = "update_time_desc" | "update_time_asc" | "create_time_desc";
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

export interface ListResult {
  count: number;
  countConcurrency: number;
  countClientNums: number;
  countClientNumsToken: number;
  page: unknown[];
}

interface Stored {
  key: string;
  item: unknown;
  update: number;
  create: number;
}

function seconds(value: unknown): number {
  const parsed = typeof value === "string" ? Date.parse(value) : Number.NaN;
  return Number.isNaN(parsed) ? 0 : Math.floor(parsed / 1000);
}

const fieldOf = (order: SortOrder) => (order === "create_time_desc" ? "create" : "update");

/**
 * One project's rooms: the upstream's truth. Each list request is computed from the current
 * state, as a database-backed API would, so rooms changed between two requests shift pages.
 * Sorted views are cached per order and rebuilt after a change; a time filter on the sort field
 * is answered by binary search, so paging through 100k rooms stays cheap.
 */
export class RoomStore {
  private readonly rooms = new Map<string, Stored>();
  private readonly sorted = new Map<SortOrder, Stored[]>();
  /** Totals of the whole list, which unfiltered requests would otherwise recount for every page. */
  private allTotals: Totals | undefined;
  private injected = 0;

  constructor(items: Iterable<RoomItem>) {
    for (const item of items) this.put(item.room_id, item);
  }

  put(key: string, item: unknown): void {
    const record = item as { update_time?: unknown; create_time?: unknown };
    this.rooms.set(key, {
      key,
      item,
      update: seconds(record.update_time),
      create: seconds(record.create_time),
    });
    this.sorted.clear();
    this.allTotals = undefined;
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
    const deleted = this.rooms.delete(key);
    if (deleted) {
      this.sorted.clear();
      this.allTotals = undefined;
    }
    return deleted;
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
    let matched: Stored[];
    if (behaviour.timeFilterField === "ignored" || (query.start === undefined && query.end === undefined)) {
      matched = view;
    } else if (behaviour.timeFilterField.startsWith(field)) {
      matched = rangeOf(view, field, query, behaviour);
    } else {
      const other = field === "update" ? "create" : "update";
      matched = view.filter((stored) => inWindow(stored[other], query, behaviour.endTimeInclusive));
    }
    if (query.roomName) {
      const needle = query.roomName.toLowerCase();
      matched = matched.filter((s) => text((s.item as { room_name?: unknown }).room_name).includes(needle));
    }
    if (query.modelName) {
      const needle = query.modelName.toLowerCase();
      matched = matched.filter((s) =>
        text((s.item as { model_infos?: { asset_name?: unknown } }).model_infos?.asset_name).includes(needle),
      );
    }
    const totals = matched === view ? (this.allTotals ??= totalsOf(view)) : totalsOf(matched);
    if (behaviour.unstableOrder) matched = shuffleTies(matched, field, random);
    return {
      count: matched.length,
      ...totals,
      page: matched.slice(query.offset, query.offset + query.limit).map((s) => s.item),
    };
  }

  private view(order: SortOrder): Stored[] {
    let view = this.sorted.get(order);
    if (!view) {
      const field = fieldOf(order);
      const direction = order.endsWith("_asc") ? 1 : -1;
      view = [...this.rooms.values()].sort(
        (a, b) => direction * (a[field] - b[field]) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
      );
      this.sorted.set(order, view);
    }
    return view;
  }
}

type Totals = Pick<ListResult, "countConcurrency" | "countClientNums" | "countClientNumsToken">;

function totalsOf(matched: Stored[]): Totals {
  const totals = { countConcurrency: 0, countClientNums: 0, countClientNumsToken: 0 };
  for (const { item } of matched) {
    const room = item as { billing_mode?: unknown; concurrency?: unknown; client_nums?: unknown };
    if (typeof room.concurrency === "number") totals.countConcurrency += room.concurrency;
    if (typeof room.client_nums === "number") {
      if (room.billing_mode === "CLIENT_TOKENS") totals.countClientNumsToken += room.client_nums;
      else totals.countClientNums += room.client_nums;
    }
  }
  return totals;
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

/** The contiguous run of a sorted view inside the window, found by binary search. */
function rangeOf(
  view: Stored[],
  field: "update" | "create",
  query: ListQuery,
  behaviour: ListBehaviour,
): Stored[] {
  const ascending = behaviour.order.endsWith("_asc");
  // In view order, "before the window" is a prefix and "after the window" is a suffix.
  const beforeWindow = (s: Stored) =>
    ascending ? query.start !== undefined && s[field] < query.start : !inUpper(s[field], query, behaviour);
  const inOrBefore = (s: Stored) =>
    ascending ? inUpper(s[field], query, behaviour) : query.start === undefined || s[field] >= query.start;
  const from = firstIndex(view, (s) => !beforeWindow(s));
  const to = firstIndex(view, (s) => !inOrBefore(s));
  return view.slice(from, Math.max(from, to));
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
function shuffleTies(items: Stored[], field: "update" | "create", random: () => number): Stored[] {
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

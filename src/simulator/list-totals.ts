/** The totals a list answer carries besides its page, over every room the query matched. */
export interface ListTotals {
  countConcurrency: number;
  countClientNums: number;
  countClientNumsToken: number;
}

/** What one room adds to each total, in ListTotals' order. */
export type Counts = readonly [number, number, number];

/** What `item` adds to each total. */
export function counted(item: unknown): Counts {
  const room = item as { billing_mode?: unknown; concurrency?: unknown; client_nums?: unknown };
  const concurrency = typeof room.concurrency === "number" ? room.concurrency : 0;
  if (typeof room.client_nums !== "number") return [concurrency, 0, 0];
  return room.billing_mode === "CLIENT_TOKENS"
    ? [concurrency, 0, room.client_nums]
    : [concurrency, room.client_nums, 0];
}

/** The totals of `rows`, walked, from the counts each was given when stored (`counted`). */
export function totalsOf(rows: Iterable<{ counts: Counts }>): ListTotals {
  const totals = { countConcurrency: 0, countClientNums: 0, countClientNumsToken: 0 };
  for (const { counts } of rows) {
    const [concurrency, clientNums, tokens] = counts;
    totals.countConcurrency += concurrency;
    totals.countClientNums += clientNums;
    totals.countClientNumsToken += tokens;
  }
  return totals;
}

/**
 * The totals of a sorted list summed up to each position, so the totals of any contiguous run of
 * it are one subtraction instead of a walk (every request of a full sync counts its window, and
 * the first windows hold the whole project).
 */
export class RunningTotals {
  private readonly sums: [Float64Array, Float64Array, Float64Array];
  /**
   * Integers whose absolute values sum below 2^53 make every prefix sum, and every difference of
   * two, exact; with anything else (an injected 1.5, NaN, 1e300) a running sum would carry the
   * value past its own position, so such a list is walked per window instead.
   */
  readonly exact: boolean;

  /** @param rows each row's counts, made once per room (`counted`), not per view. */
  constructor(rows: ReadonlyArray<{ counts: Counts }>) {
    this.sums = [0, 1, 2].map(() => new Float64Array(rows.length + 1)) as RunningTotals["sums"];
    let magnitude = 0;
    for (let i = 0; i < rows.length; i += 1) {
      const { counts } = rows[i]!;
      for (let k = 0; k < 3; k += 1) {
        const value = counts[k]!;
        const sum = this.sums[k]!;
        magnitude += Number.isInteger(value) ? Math.abs(value) : Number.POSITIVE_INFINITY;
        sum[i + 1] = sum[i]! + value;
      }
    }
    this.exact = magnitude <= Number.MAX_SAFE_INTEGER;
  }

  /** The totals of positions `from` (inclusive) to `to` (exclusive). */
  between(from: number, to: number): ListTotals {
    const [concurrency, clientNums, tokens] = this.sums;
    return {
      countConcurrency: concurrency[to]! - concurrency[from]!,
      countClientNums: clientNums[to]! - clientNums[from]!,
      countClientNumsToken: tokens[to]! - tokens[from]!,
    };
  }
}

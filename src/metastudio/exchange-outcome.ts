import { parseRetryAfter } from "./backoff.js";
import { MetaStudioError } from "./metastudio-error.js";
import { parsePage, type ParsedPage, type RangeWarning } from "./parse-page.js";
import { errorFromBody, errorFromResponse, type ExchangeContext } from "./response-error.js";

/** What one HTTP exchange produced; the client decides what happens next. */
export type ExchangeOutcome = { status: number | undefined; requestId: string | undefined } & (
  | {
      kind: "page";
      page: ParsedPage;
      rangeWarnings: RangeWarning[];
      /** Decoding and validation. */ parseMs: number;
      /** The `Date` header: the upstream's clock when it answered, for measuring its offset. */
      date: string | undefined;
    }
  | { kind: "error"; error: MetaStudioError }
  /** The caller's signal fired: not a failure of the upstream, and not to be retried. */
  | { kind: "aborted"; reason: unknown }
);

/** An answer read to its last byte, with the headers the outcome depends on. */
export interface ListAnswer {
  status: number;
  /** `X-Request-Id`, already clipped: it is stored and shown. */
  requestId: string | undefined;
  body: string;
  /** `Retry-After` as sent. */
  retryAfter: string | undefined;
  /** `Date` as sent. */
  date: string | undefined;
}

/**
 * What a complete answer means: a page, or the error that says why it is not one. No I/O; the
 * clock is read only to time the parse and to count down an HTTP-date `Retry-After`.
 * @param offset the request's, for the positions of skipped items
 */
export function answerOutcome(answer: ListAnswer, context: ExchangeContext, offset: number): ExchangeOutcome {
  const ids = { status: answer.status, requestId: answer.requestId };
  if (ids.status < 200 || ids.status > 299) {
    const retryAfterMs = parseRetryAfter(answer.retryAfter);
    const error = errorFromResponse({ ...context, ...ids, body: answer.body, retryAfterMs });
    return { ...ids, kind: "error", error };
  }
  const parseStarted = performance.now();
  let json: unknown;
  try {
    json = JSON.parse(answer.body);
  } catch {
    return { ...ids, kind: "error", error: errorFromBody({ ...context, ...ids, problem: "not-json" }) };
  }
  const parsed = parsePage(json, { offset, requestId: ids.requestId });
  if (!parsed.ok) {
    const error = errorFromBody({ ...context, ...ids, problem: "wrong-shape", reason: parsed.reason });
    return { ...ids, kind: "error", error };
  }
  const parseMs = performance.now() - parseStarted;
  return {
    ...ids,
    kind: "page",
    page: parsed.page,
    rangeWarnings: parsed.rangeWarnings,
    parseMs,
    date: answer.date,
  };
}

/**
 * The outcome of an attempt whose credential could not be obtained: IAM's failure is already a
 * MetaStudioError naming IAM, recorded and retried like any other; the caller giving up is an
 * abort. Anything else is a bug, rethrown.
 */
export function authFailureOutcome(error: unknown, signal: AbortSignal | undefined): ExchangeOutcome {
  if (signal?.aborted) {
    return { status: undefined, requestId: undefined, kind: "aborted", reason: signal.reason };
  }
  if (error instanceof MetaStudioError) {
    return { status: error.status, requestId: error.requestId, kind: "error", error };
  }
  throw error;
}

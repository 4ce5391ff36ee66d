import { request, type Dispatcher } from "./undici.js";

import { clipToken } from "../describe-error.js";
import { parseRetryAfter } from "./backoff.js";
import type { MetaStudioError } from "./metastudio-error.js";
import { DEFAULT_MAX_BODY_BYTES, readCappedBody } from "./read-capped-body.js";
import { parsePage, type ParsedPage, type RangeWarning } from "./parse-page.js";
import { errorFromBody, errorFromResponse, errorFromTransport } from "./response-error.js";
import { sdkEncode } from "./signer.js";

/** One page's query. */
export interface ListParams {
  projectId: string;
  /** From 0. */
  offset: number;
  /** 1 to 100. */
  limit: number;
  /** Fuzzy match on the dialog name. */
  roomName?: string;
  /** Fuzzy match on the model (image) name. */
  modelName?: string;
  /** RFC 3339, e.g. `2021-01-10T08:43:17Z`. */
  startTime?: string;
  /** RFC 3339. */
  endTime?: string;
}

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

export interface ExchangeRequest {
  url: URL;
  /** Complete, credentials included: sent exactly as signed. */
  headers: Record<string, string>;
  dispatcher: Dispatcher;
  /** Deadline of this exchange, connect to last body byte. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  projectId: string;
  offset: number;
  /** Largest body read; a larger one fails the exchange. @default 33554432 (32 MB) */
  maxBodyBytes?: number;
}

/**
 * `{endpoint}/v1/{project_id}/smart-chat-rooms?offset&limit[&...]`. The query is encoded the way
 * the AK/SK signer canonicalises it (RFC 3986, spaces as %20), so what is signed is what is sent.
 */
export function listUrl(endpoint: string, params: ListParams): URL {
  const query: Array<[string, string | undefined]> = [
    ["offset", String(params.offset)],
    ["limit", String(params.limit)],
    ["room_name", params.roomName],
    ["model_name", params.modelName],
    ["start_time", params.startTime],
    ["end_time", params.endTime],
  ];
  const search = query
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${sdkEncode(value)}`)
    .join("&");
  return new URL(`${endpoint}/v1/${sdkEncode(params.projectId)}/smart-chat-rooms?${search}`);
}

/**
 * Sends one GET and reads the whole answer under one deadline. Never throws: every way it can
 * end is an outcome, so the caller can log and record the attempt before deciding.
 */
export async function sendListRequest(exchange: ExchangeRequest): Promise<ExchangeOutcome> {
  const deadline = AbortSignal.timeout(exchange.timeoutMs);
  const signal = exchange.signal ? AbortSignal.any([exchange.signal, deadline]) : deadline;
  const context = {
    service: "MetaStudio" as const,
    projectId: exchange.projectId,
    timeoutMs: exchange.timeoutMs,
    secrets: sentSecrets(exchange.headers),
  };
  let status: number | undefined;
  let requestId: string | undefined;
  try {
    const response = await request(exchange.url, {
      method: "GET",
      headers: exchange.headers,
      dispatcher: exchange.dispatcher,
      signal,
    });
    status = response.statusCode;
    // The upstream's text is stored and shown: bounded, and no control characters.
    requestId = clipToken(first(response.headers["x-request-id"]));
    const expected = Number(first(response.headers["content-length"]));
    const declared = Number.isInteger(expected) ? expected : undefined;
    const bytes = await readCappedBody(
      response.body,
      exchange.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      declared,
    );
    if (Number.isInteger(expected) && bytes.length < expected) {
      throw Object.assign(new Error(`body has ${bytes.length} of ${expected} bytes`), {
        code: "SHORT_BODY",
      });
    }
    const body = bytes.toString("utf8");
    const ids = { status, requestId };
    if (status < 200 || status > 299) {
      const retryAfterMs = parseRetryAfter(first(response.headers["retry-after"]));
      return { ...ids, kind: "error", error: errorFromResponse({ ...context, ...ids, body, retryAfterMs }) };
    }
    const parseStarted = performance.now();
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return { ...ids, kind: "error", error: errorFromBody({ ...context, ...ids, problem: "not-json" }) };
    }
    const parsed = parsePage(json, { offset: exchange.offset, requestId });
    if (!parsed.ok) {
      const error = errorFromBody({ ...context, ...ids, problem: "wrong-shape", reason: parsed.reason });
      return { ...ids, kind: "error", error };
    }
    const parseMs = performance.now() - parseStarted;
    const date = first(response.headers["date"]);
    return { ...ids, kind: "page", page: parsed.page, rangeWarnings: parsed.rangeWarnings, parseMs, date };
  } catch (error) {
    if (exchange.signal?.aborted)
      return { status, requestId, kind: "aborted", reason: exchange.signal.reason };
    return {
      status,
      requestId,
      kind: "error",
      error: errorFromTransport(error, { ...context, status, requestId }),
    };
  }
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The credentials the request carried as they went out: a token and a temporary security token.
 * The SK itself never leaves (a signature is made with it), and the AK names the account.
 */
function sentSecrets(headers: Record<string, string>): string[] {
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === "x-auth-token" || lower === "x-security-token") secrets.push(value);
  }
  return secrets;
}

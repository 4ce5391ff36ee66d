import { request, type Dispatcher, type ResponseData } from "./undici.js";

import { clipToken } from "../describe-error.js";
import { answerOutcome, type ExchangeOutcome } from "./exchange-outcome.js";
import { DEFAULT_MAX_BODY_BYTES, readCappedBody } from "./read-capped-body.js";
import { errorFromTransport } from "./response-error.js";
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
  // Known as soon as the headers are in, so a body that fails to arrive is still reported with them.
  let status: number | undefined;
  let requestId: string | undefined;
  try {
    const { headers, dispatcher } = exchange;
    const response = await request(exchange.url, { method: "GET", headers, dispatcher, signal });
    status = response.statusCode;
    // The upstream's text is stored and shown: bounded, and no control characters.
    requestId = clipToken(first(response.headers["x-request-id"]));
    const body = await readWholeBody(response, exchange.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    const retryAfter = first(response.headers["retry-after"]);
    const date = first(response.headers["date"]);
    return answerOutcome({ status, requestId, body, retryAfter, date }, context, exchange.offset);
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

/**
 * The body as text, up to `maxBytes`. One shorter than its Content-Length was cut off on the way:
 * an error, not a complete answer.
 */
async function readWholeBody(response: ResponseData, maxBytes: number): Promise<string> {
  const expected = Number(first(response.headers["content-length"]));
  const declared = Number.isInteger(expected) ? expected : undefined;
  const bytes = await readCappedBody(response.body, maxBytes, declared);
  if (Number.isInteger(expected) && bytes.length < expected) {
    throw Object.assign(new Error(`body has ${bytes.length} of ${expected} bytes`), {
      code: "SHORT_BODY",
    });
  }
  return bytes.toString("utf8");
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

import { EnvHttpProxyAgent, request, type Dispatcher } from "undici";

import type { MetaStudioConfig } from "../config/config.js";
import type { Logger } from "../logger.js";
import { backoffDelay, parseRetryAfter, sleep } from "./backoff.js";
import { MetaStudioError, isRetryableStatus } from "./metastudio-error.js";
import { parsePage, type InvalidItem, type ParsedPage } from "./parse-page.js";
import { createMemoryRateLimiter, type RateLimiter } from "./rate-limiter.js";
import { createRequestAuth, type RequestAuth } from "./request-auth.js";
import { errorBodySchema } from "./room-schema.js";
import { sdkEncode } from "./signer.js";

export type { InvalidItem };

export interface ListParams {
  projectId: string;
  offset: number;
  limit: number;
  roomName?: string;
  modelName?: string;
  /** RFC 3339. */
  startTime?: string;
  endTime?: string;
}

export interface ListPage extends ParsedPage {
  requestId: string | undefined;
  status: number;
  durationMs: number;
  attempts: number;
  /** Time spent validating the body, for the benchmarks' breakdown. */
  parseMs: number;
}

/** One HTTP attempt, failed ones and retries included: what `sync_requests` stores. */
export interface RequestRecord {
  projectId: string;
  requestId: string | undefined;
  status: number | undefined;
  errorCode: string | undefined;
  offset: number;
  limit: number;
  startTime: string | undefined;
  endTime: string | undefined;
  items: number | undefined;
  attempt: number;
  durationMs: number;
  requestedAt: Date;
}

export interface MetaStudioClientOptions {
  config: MetaStudioConfig;
  logger: Logger;
  /** @default a memory limiter at `config.rateLimitPerSecond` */
  rateLimiter?: RateLimiter;
  /** Every attempt of every request, for metrics. */
  onRequest?: (record: RequestRecord) => void;
  /** First retry's backoff cap. @default 200 */
  baseDelayMs?: number;
  /** @default 20000 */
  maxDelayMs?: number;
}

export interface ListOptions {
  signal?: AbortSignal | undefined;
  /** Extra bindings on the request's log line, e.g. the run ID. */
  log?: Record<string, unknown>;
  /** Every attempt of this call. */
  onRequest?: (record: RequestRecord) => void;
}

/** The one upstream call metastudio-sync makes, with auth, pacing, retries and validation. */
export class MetaStudioClient {
  private readonly dispatcher: Dispatcher;
  private readonly auth: RequestAuth;
  private readonly rateLimiter: RateLimiter;

  constructor(private readonly options: MetaStudioClientOptions) {
    const timeout = options.config.requestTimeoutMs;
    this.dispatcher = new EnvHttpProxyAgent({
      connect: { timeout: Math.min(timeout, 10_000) },
      headersTimeout: timeout,
      bodyTimeout: timeout,
      keepAliveTimeout: 30_000,
    });
    this.auth = createRequestAuth(options.config.auth, {
      dispatcher: this.dispatcher,
      timeoutMs: timeout,
      logger: options.logger,
    });
    this.rateLimiter = options.rateLimiter ?? createMemoryRateLimiter(options.config.rateLimitPerSecond);
  }

  async listSmartChatRooms(params: ListParams, options: ListOptions = {}): Promise<ListPage> {
    const { config } = this.options;
    let renewed = false;
    for (let attempt = 1; ; attempt += 1) {
      await this.rateLimiter.acquire(options.signal);
      let outcome: ListPage | MetaStudioError;
      try {
        outcome = await this.attempt(params, attempt, options);
      } catch (error) {
        if (options.signal?.aborted) throw error;
        outcome = toError(error, params.projectId);
      }
      if (!(outcome instanceof MetaStudioError)) return outcome;
      if (outcome.status === 401 && !renewed && this.auth.renew(params.projectId)) {
        renewed = true;
        continue;
      }
      if (!outcome.retryable || attempt >= config.maxAttempts) {
        throw attempt > 1
          ? new MetaStudioError({
              ...fieldsOf(outcome),
              message: `${outcome.message}; gave up after ${attempt} attempts`,
            })
          : outcome;
      }
      const retryAfterMs =
        outcome.retryAfterSeconds === undefined ? undefined : outcome.retryAfterSeconds * 1000;
      if (outcome.throttled && retryAfterMs !== undefined) await this.rateLimiter.penalize?.(retryAfterMs);
      const backoff = backoffDelay(attempt, {
        baseMs: this.options.baseDelayMs ?? 200,
        maxMs: this.options.maxDelayMs ?? 20_000,
      });
      await sleep(Math.max(backoff, retryAfterMs ?? 0), options.signal);
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
    await this.rateLimiter.close?.();
  }

  private async attempt(
    params: ListParams,
    attempt: number,
    options: ListOptions,
  ): Promise<ListPage | MetaStudioError> {
    const { config, logger } = this.options;
    const url = listUrl(config.endpoint, params);
    const base: Record<string, string> = { Accept: "application/json" };
    if (config.appUserId) base["X-App-UserId"] = config.appUserId;
    const requestedAt = new Date();
    const started = performance.now();
    let status: number | undefined;
    let requestId: string | undefined;
    let errorCode: string | undefined;
    let items: number | undefined;
    try {
      const authHeaders = await this.auth.headers(
        { method: "GET", url, projectId: params.projectId, headers: base },
        options.signal,
      );
      const deadline = AbortSignal.timeout(config.requestTimeoutMs);
      const response = await request(url, {
        method: "GET",
        headers: { ...base, ...authHeaders },
        dispatcher: this.dispatcher,
        signal: options.signal ? AbortSignal.any([options.signal, deadline]) : deadline,
      });
      status = response.statusCode;
      requestId = single(response.headers["x-request-id"]);
      const text = await response.body.text();
      if (status !== 200) {
        const failure = errorFor(status, text, requestId, params.projectId, response.headers);
        errorCode = failure.errorCode;
        return failure;
      }
      const parseStarted = performance.now();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (cause) {
        return new MetaStudioError({
          message: `MetaStudio sent an unreadable body for project ${params.projectId} (request ${requestId ?? "unknown"})`,
          status,
          requestId,
          retryable: true,
          cause,
        });
      }
      const parsed = parsePage(body, {
        offset: params.offset,
        requestId,
        projectId: params.projectId,
        logger,
      });
      if (typeof parsed === "string") {
        return new MetaStudioError({
          message: `MetaStudio's answer for project ${params.projectId} is not a page of rooms (request ${requestId ?? "unknown"}): ${parsed}`,
          status,
          requestId,
          retryable: false,
        });
      }
      items = parsed.rooms.length + parsed.invalid.length;
      const durationMs = performance.now() - started;
      return {
        ...parsed,
        requestId,
        status,
        durationMs,
        attempts: attempt,
        parseMs: performance.now() - parseStarted,
      };
    } finally {
      const record: RequestRecord = {
        projectId: params.projectId,
        requestId,
        status,
        errorCode,
        offset: params.offset,
        limit: params.limit,
        startTime: params.startTime,
        endTime: params.endTime,
        items,
        attempt,
        durationMs: performance.now() - started,
        requestedAt,
      };
      logger.info(
        {
          ...options.log,
          request_id: requestId,
          project_id: params.projectId,
          offset: params.offset,
          limit: params.limit,
          start_time: params.startTime,
          end_time: params.endTime,
          status,
          error_code: errorCode,
          attempt,
          duration_ms: Math.round(record.durationMs),
          items,
        },
        "metastudio request",
      );
      this.options.onRequest?.(record);
      options.onRequest?.(record);
    }
  }
}

/** The query string is encoded the way the signer canonicalises it, so both sides agree. */
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
  return new URL(`${endpoint}/v1/${encodeURIComponent(params.projectId)}/smart-chat-rooms?${search}`);
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function errorFor(
  status: number,
  text: string,
  requestId: string | undefined,
  projectId: string,
  headers: Record<string, string | string[] | undefined>,
): MetaStudioError {
  let parsed: { error_code?: string | undefined; error_msg?: string | undefined } = {};
  try {
    const result = errorBodySchema.safeParse(JSON.parse(text));
    if (result.success) parsed = result.data;
  } catch {
    // Not JSON (a proxy's HTML page, say): the status alone has to do.
  }
  const retryAfterMs =
    status === 429 || status === 503 ? parseRetryAfter(single(headers["retry-after"])) : undefined;
  const code = parsed.error_code ? ` ${parsed.error_code}` : "";
  const msg = parsed.error_msg ? ` ${JSON.stringify(parsed.error_msg)}` : "";
  return new MetaStudioError({
    message: `MetaStudio answered ${status}${code}${msg} for project ${projectId} (request ${requestId ?? "unknown"})`,
    status,
    errorCode: parsed.error_code,
    errorMsg: parsed.error_msg,
    requestId,
    retryable: isRetryableStatus(status),
    retryAfterSeconds: retryAfterMs === undefined ? undefined : retryAfterMs / 1000,
  });
}

/** Network failures, timeouts and bodies cut short: retryable, since nothing was answered. */
function toError(error: unknown, projectId: string): MetaStudioError {
  if (error instanceof MetaStudioError) return error;
  const code = (error as { code?: string } | null)?.code;
  const name = error instanceof Error ? error.name : "Error";
  const reason =
    name === "TimeoutError"
      ? "timed out"
      : `failed (${code ?? (error instanceof Error ? error.message : name)})`;
  return new MetaStudioError({
    message: `The request to MetaStudio for project ${projectId} ${reason}`,
    retryable: true,
    cause: error,
  });
}

function fieldsOf(error: MetaStudioError) {
  return {
    status: error.status,
    errorCode: error.errorCode,
    errorMsg: error.errorMsg,
    requestId: error.requestId,
    retryable: error.retryable,
    retryAfterSeconds: error.retryAfterSeconds,
    cause: error.cause,
  };
}

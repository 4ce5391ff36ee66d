import type { Dispatcher } from "./undici.js";

import type { MetaStudioConfig } from "../config/config.js";
import type { Logger } from "../logger.js";
import { createAuthProvider, type AuthProvider, type Authorization } from "./auth-provider.js";
import { capRetryAfter, decideRetry, DEFAULT_MAX_RETRY_AFTER_MS, sleep } from "./backoff.js";
import { createHttpAgent } from "./http-agent.js";
import { authFailureOutcome, type ExchangeOutcome } from "./exchange-outcome.js";
import type { MetaStudioError } from "./metastudio-error.js";
import type { InvalidItem, ParsedPage } from "./parse-page.js";
import { createMemoryRateLimiter, type RateLimiter } from "./rate-limiter.js";
import { reportPage } from "./report-page.js";
import { requestLogFields, requestRecord, type RequestRecord } from "./request-record.js";
import { finalError, withRetryAfter } from "./response-error.js";
import { listUrl, sendListRequest, type ListParams } from "./send-list-request.js";

export type { InvalidItem, ListParams, RequestRecord };
export { listUrl };

export interface ListPage extends ParsedPage {
  requestId: string | undefined;
  status: number;
  /** From the first attempt's start to the answer, retries and waits included. */
  durationMs: number;
  attempts: number;
  /** Time spent validating the body, for the benchmarks' breakdown. */
  parseMs: number;
  /** The response's `Date` header, when it had one: the upstream's clock. */
  date?: string | undefined;
}

export interface MetaStudioClientOptions {
  config: MetaStudioConfig;
  /** The account's name, on every RequestRecord. @default "default" */
  account?: string;
  logger: Logger;
  /** @default a memory limiter at `config.rateLimitPerSecond` */
  rateLimiter?: RateLimiter;
  /** Every attempt of every request, for metrics. */
  onRequest?: (record: RequestRecord) => void;
  /** Cap of the first retry's backoff. @default 200 */
  baseDelayMs?: number;
  /** Cap of any retry's backoff. @default 20000 */
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
  private readonly auth: AuthProvider;
  private readonly rateLimiter: RateLimiter;
  private closed = false;

  constructor(private readonly options: MetaStudioClientOptions) {
    const { config, logger } = options;
    this.dispatcher = createHttpAgent({ requestTimeoutMs: config.requestTimeoutMs });
    this.auth = createAuthProvider(config.auth, {
      dispatcher: this.dispatcher,
      timeoutMs: config.requestTimeoutMs,
      logger,
      maxBodyBytes: config.maxBodyBytes,
    });
    this.rateLimiter =
      options.rateLimiter ?? createMemoryRateLimiter(config.rateLimitPerSecond, config.maxRetryAfterMs);
  }

  /**
   * One page of `GET /v1/{project_id}/smart-chat-rooms`. Retries what can succeed on a second try
   * (network errors, timeouts, 429, 5xx, damaged bodies) and renews an IAM token once on a 401;
   * rejects with a MetaStudioError naming status, error code and request ID otherwise.
   */
  async listSmartChatRooms(params: ListParams, options: ListOptions = {}): Promise<ListPage> {
    const { config } = this.options;
    const started = performance.now();
    let renewed = false;
    for (let attempt = 1; ; attempt += 1) {
      await this.rateLimiter.acquire(options.signal);
      const { outcome, authorization, parseMs } = await this.attempt(params, attempt, options);
      if (outcome.kind === "aborted") throw abortError(outcome.reason);
      if (outcome.kind === "page") {
        return {
          ...outcome.page,
          requestId: outcome.requestId,
          status: outcome.status ?? 200,
          durationMs: performance.now() - started,
          attempts: attempt,
          parseMs,
          date: outcome.date,
        };
      }
      const error = this.honoured(outcome.error, params);
      // Only MetaStudio refusing a token is cured by a new one; IAM refusing the password is not.
      const canRenew = !renewed && error.service === "metastudio" && authorization !== undefined;
      const decision = decideRetry(
        {
          status: error.status,
          retryable: error.retryable,
          retryAfterMs: error.retryAfterSeconds === undefined ? undefined : error.retryAfterSeconds * 1000,
        },
        { attempt, maxAttempts: config.maxAttempts, canRenew },
        {
          baseMs: this.options.baseDelayMs ?? 200,
          maxMs: this.options.maxDelayMs ?? 20_000,
          maxRetryAfterMs: this.maxRetryAfterMs,
        },
      );
      if (decision.action === "renew" && this.auth.invalidate(params.projectId, authorization!)) {
        renewed = true;
        continue;
      }
      if (decision.action !== "retry") throw finalError(error, attempt);
      if (error.throttled && error.retryAfterSeconds !== undefined) {
        await this.rateLimiter.penalize?.(error.retryAfterSeconds * 1000);
      }
      await sleep(decision.delayMs, options.signal);
    }
  }

  private get maxRetryAfterMs(): number {
    return this.options.config.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
  }

  /**
   * The error with its `Retry-After` cut to the cap, so the sleep here, the shared limiter's hold
   * and the worker's queue hold (which all read it from the error) can never exceed it.
   */
  private honoured(error: MetaStudioError, params: ListParams): MetaStudioError {
    if (error.retryAfterSeconds === undefined) return error;
    const { ms, capped } = capRetryAfter(error.retryAfterSeconds * 1000, this.maxRetryAfterMs);
    if (!capped) return error;
    this.options.logger.warn(
      {
        project_id: params.projectId,
        request_id: error.requestId,
        retry_after_s: error.retryAfterSeconds,
        honoured_s: ms / 1000,
      },
      "the upstream asked to wait longer than METASTUDIO_MAX_RETRY_AFTER_SECONDS; waiting the cap",
    );
    return withRetryAfter(error, ms / 1000);
  }

  /** Idempotent: closes the connection pool and the limiter once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.dispatcher.close();
    await this.rateLimiter.close?.();
  }

  /** One attempt, logged and recorded whatever its end; credentials never reach the log. */
  private async attempt(
    params: ListParams,
    attempt: number,
    options: ListOptions,
  ): Promise<{ outcome: ExchangeOutcome; authorization: Authorization | undefined; parseMs: number }> {
    const { config, logger } = this.options;
    const url = listUrl(config.endpoint, params);
    const headers: Record<string, string> = { Accept: "application/json" };
    if (config.appUserId) headers["X-App-UserId"] = config.appUserId;
    const requestedAt = new Date();
    const started = performance.now();
    const { outcome, authorization } = await this.exchange(params, url, headers, options.signal);
    const durationMs = performance.now() - started;
    const account = this.options.account ?? "default";
    const record = requestRecord({ account, params, outcome, attempt, durationMs, requestedAt });
    logger.info(requestLogFields(record, options.log), "metastudio request");
    if (outcome.kind === "page") reportPage(logger, outcome, params);
    this.options.onRequest?.(record);
    options.onRequest?.(record);
    return { outcome, authorization, parseMs: outcome.kind === "page" ? outcome.parseMs : 0 };
  }

  /** Credentials for this attempt, then the request; failing to get credentials is an outcome too. */
  private async exchange(
    params: ListParams,
    url: URL,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<{ outcome: ExchangeOutcome; authorization: Authorization | undefined }> {
    const { config } = this.options;
    let authorization: Authorization | undefined;
    try {
      authorization = await this.auth.authorize(
        { method: "GET", url, projectId: params.projectId, headers },
        signal,
      );
      const outcome = await sendListRequest({
        url,
        headers: { ...headers, ...authorization.headers },
        dispatcher: this.dispatcher,
        timeoutMs: config.requestTimeoutMs,
        signal,
        projectId: params.projectId,
        offset: params.offset,
        maxBodyBytes: config.maxBodyBytes,
      });
      return { outcome, authorization };
    } catch (error) {
      return { outcome: authFailureOutcome(error, signal), authorization };
    }
  }
}

function abortError(reason: unknown): Error {
  return reason instanceof Error ? reason : new DOMException("The operation was aborted", "AbortError");
}

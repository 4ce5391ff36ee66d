import { request, type Dispatcher, type ResponseData } from "./undici.js";

import { clipToken } from "../describe-error.js";
import { isLoopbackHost } from "../is-loopback-host.js";
import type { Logger } from "../logger.js";
import { readTokenAnswer, tokenRequestBody } from "./iam-token-exchange.js";
import { MetaStudioError } from "./metastudio-error.js";
import { DEFAULT_MAX_BODY_BYTES, readCappedBody } from "./read-capped-body.js";
import { errorFromTransport } from "./response-error.js";

export interface IamCredentials {
  /** Base URL of IAM, without `/v3`. */
  iamEndpoint: string;
  domain: string;
  username: string;
  password: string;
  /**
   * Where the last three are set, named by the error when IAM refuses them (an accounts file's
   * account and keys). @default the HUAWEICLOUD_IAM_* variables
   */
  source?: string | undefined;
  /** Where `iamEndpoint` is set, named by the plain-http warning. @default HUAWEICLOUD_IAM_ENDPOINT */
  endpointSource?: string | undefined;
}

export interface IamTokenProviderOptions {
  dispatcher: Dispatcher;
  /** Deadline of one token request, connect to last byte. */
  timeoutMs: number;
  logger: Logger;
  /** Largest response body read; a token answer is a few kB. @default 33554432 (32 MB) */
  maxBodyBytes?: number | undefined;
  /** @default Date.now */
  now?: () => number;
}

interface CachedToken {
  token: string;
  /** When to stop using it: before it expires, so no request arrives with a token about to lapse. */
  renewAt: number;
}

/** How early a token is renewed: 10% of its lifetime, at most five minutes. */
export function renewalMargin(lifetimeMs: number): number {
  return Math.min(5 * 60_000, Math.max(0, lifetimeMs) * 0.1);
}

/**
 * Project-scoped IAM tokens (MetaStudio checks the token's project) obtained from a password with
 * `POST /v3/auth/tokens` and cached per project until shortly before they expire. Concurrent
 * callers for one project share one token request, so a burst of pages costs one IAM call.
 */
export class IamTokenProvider {
  private readonly cache = new Map<string, CachedToken>();
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly now: () => number;

  constructor(
    private readonly credentials: IamCredentials,
    private readonly options: IamTokenProviderOptions,
  ) {
    this.now = options.now ?? Date.now;
    warnIfPlainHttp(credentials, options.logger);
  }

  /** A valid token for `projectId`, from the cache or from IAM. Rejects with a MetaStudioError. */
  async token(projectId: string, signal?: AbortSignal): Promise<string> {
    const cached = this.cache.get(projectId);
    if (cached && cached.renewAt > this.now()) return cached.token;
    let pending = this.inflight.get(projectId);
    if (!pending) {
      // Not tied to this caller's signal: others wait on the same request, and one caller
      // giving up must not fail them all. The request has its own deadline.
      pending = this.issue(projectId).finally(() => this.inflight.delete(projectId));
      this.inflight.set(projectId, pending);
    }
    return signal ? abortable(pending, signal) : pending;
  }

  /**
   * Drops a project's token after MetaStudio refused it. Only if it is still the one refused:
   * a concurrent request may already have replaced it, and that one is good.
   */
  invalidate(projectId: string, token: string): void {
    if (this.cache.get(projectId)?.token === token) this.cache.delete(projectId);
  }

  /** A fresh token from IAM, cached; rejects with a MetaStudioError. Logged whatever its end. */
  private async issue(projectId: string): Promise<string> {
    const started = performance.now();
    const context = {
      service: "IAM" as const,
      projectId,
      timeoutMs: this.options.timeoutMs,
      secrets: [this.credentials.password],
      credentialsSource: this.credentials.source,
    };
    // Known as soon as the headers are in: the error and the log line of a later failure name them.
    let status: number | undefined;
    let requestId: string | undefined;
    let errorCode: string | undefined;
    try {
      const response = await this.requestToken(projectId);
      status = response.statusCode;
      // The upstream's text is stored and shown: bounded, and no control characters.
      requestId = clipToken(first(response.headers["x-request-id"]));
      const body = await readBody(response, this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
      const token = first(response.headers["x-subject-token"]);
      const answer = readTokenAnswer({ status, requestId, body, token }, context);
      if (!answer.ok) {
        errorCode = answer.errorCode;
        throw answer.error;
      }
      this.cache.set(projectId, { token: answer.token, renewAt: this.renewAt(body) });
      return answer.token;
    } catch (error) {
      throw error instanceof MetaStudioError
        ? error
        : errorFromTransport(error, { ...context, status, requestId });
    } finally {
      this.logTokenRequest(projectId, { requestId, status, errorCode }, started);
    }
  }

  /** One line per IAM call, like MetaStudio's; never the body, which carries the password. */
  private logTokenRequest(
    projectId: string,
    answered: { requestId: string | undefined; status: number | undefined; errorCode: string | undefined },
    started: number,
  ): void {
    this.options.logger.info(
      {
        iam: true,
        project_id: projectId,
        request_id: answered.requestId,
        status: answered.status,
        error_code: answered.errorCode,
        duration_ms: Math.round(performance.now() - started),
      },
      "IAM token request",
    );
  }

  /** Under its own deadline: callers sharing the request must not depend on any one's signal. */
  private requestToken(projectId: string): Promise<ResponseData> {
    return request(`${this.credentials.iamEndpoint}/v3/auth/tokens`, {
      method: "POST",
      dispatcher: this.options.dispatcher,
      headers: { "content-type": "application/json;charset=utf8", accept: "application/json" },
      body: tokenRequestBody(this.credentials, projectId),
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
  }

  /**
   * The lifetime is `expires_at - issued_at`, both on IAM's clock, counted from now on ours, so a
   * skewed local clock neither keeps an expired token nor drops a good one. Without them, an
   * hour, which is shorter than any IAM token lives.
   */
  private renewAt(body: string): number {
    let token: { expires_at?: unknown; issued_at?: unknown } | undefined;
    try {
      token = (JSON.parse(body) as { token?: typeof token }).token;
    } catch {
      token = undefined;
    }
    const now = this.now();
    const expires = typeof token?.expires_at === "string" ? Date.parse(token.expires_at) : NaN;
    const issued = typeof token?.issued_at === "string" ? Date.parse(token.issued_at) : NaN;
    let lifetime = 3600_000;
    if (!Number.isNaN(expires)) lifetime = expires - (Number.isNaN(issued) ? now : issued);
    return now + lifetime - renewalMargin(lifetime);
  }
}

/**
 * The password goes in the request body: over plain HTTP, anyone on the path can read it. Names
 * where the endpoint is set: with an accounts file, HUAWEICLOUD_IAM_ENDPOINT is refused, so
 * naming it would send the reader to a variable they cannot have set.
 */
function warnIfPlainHttp(credentials: IamCredentials, logger: Logger): void {
  let url: URL;
  try {
    url = new URL(credentials.iamEndpoint);
  } catch {
    return;
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    const where = credentials.endpointSource ?? "HUAWEICLOUD_IAM_ENDPOINT";
    logger.warn(
      { iam_endpoint: url.origin },
      `${where} is plain http://: the IAM password travels unencrypted; use https://`,
    );
  }
}

/** The body as text, up to `maxBytes`; a token answer is a few kB. */
async function readBody(response: ResponseData, maxBytes: number): Promise<string> {
  const length = Number(first(response.headers["content-length"]));
  const bytes = await readCappedBody(response.body, maxBytes, Number.isInteger(length) ? length : undefined);
  return bytes.toString("utf8");
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** `promise`, or the signal's reason if it aborts first; the promise itself goes on for others. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: Error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

import { request, type Dispatcher } from "./undici.js";

import { clipToken } from "../describe-error.js";
import { isLoopbackHost } from "../is-loopback-host.js";
import type { Logger } from "../logger.js";
import { MetaStudioError } from "./metastudio-error.js";
import { DEFAULT_MAX_BODY_BYTES, readCappedBody } from "./read-capped-body.js";
import { errorFromResponse, errorFromTransport, readErrorBody } from "./response-error.js";

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

  private async issue(projectId: string): Promise<string> {
    const { iamEndpoint, domain, username, password } = this.credentials;
    const started = performance.now();
    const context = {
      service: "IAM" as const,
      projectId,
      timeoutMs: this.options.timeoutMs,
      secrets: [password],
      credentialsSource: this.credentials.source,
    };
    let status: number | undefined;
    let requestId: string | undefined;
    let errorCode: string | undefined;
    try {
      const response = await request(`${iamEndpoint}/v3/auth/tokens`, {
        method: "POST",
        dispatcher: this.options.dispatcher,
        headers: { "content-type": "application/json;charset=utf8", accept: "application/json" },
        body: JSON.stringify({
          auth: {
            identity: {
              methods: ["password"],
              password: { user: { name: username, password, domain: { name: domain } } },
            },
            scope: { project: { id: projectId } },
          },
        }),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      status = response.statusCode;
      // The upstream's text is stored and shown: bounded, and no control characters.
      requestId = clipToken(first(response.headers["x-request-id"]));
      const length = Number(first(response.headers["content-length"]));
      const body = (
        await readCappedBody(
          response.body,
          this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
          Number.isInteger(length) ? length : undefined,
        )
      ).toString("utf8");
      if (status < 200 || status > 299) {
        errorCode = readErrorBody(body, context.secrets).code;
        throw errorFromResponse({ ...context, status, requestId, body, retryAfterMs: undefined });
      }
      const token = first(response.headers["x-subject-token"]);
      if (!token) {
        throw new MetaStudioError({
          message: `IAM answered ${status} without an X-Subject-Token for project ${projectId} (request ${requestId ?? "unknown"})`,
          status,
          requestId,
          retryable: false,
          service: "iam",
        });
      }
      this.cache.set(projectId, { token, renewAt: this.renewAt(body) });
      return token;
    } catch (error) {
      throw error instanceof MetaStudioError
        ? error
        : errorFromTransport(error, { ...context, status, requestId });
    } finally {
      // One line per IAM call, like MetaStudio's; never the body, which carries the password.
      this.options.logger.info(
        {
          iam: true,
          project_id: projectId,
          request_id: requestId,
          status,
          error_code: errorCode,
          duration_ms: Math.round(performance.now() - started),
        },
        "IAM token request",
      );
    }
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

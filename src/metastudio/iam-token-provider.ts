import { request, type Dispatcher } from "undici";

import type { Logger } from "../logger.js";
import { MetaStudioError, isRetryableStatus } from "./metastudio-error.js";

export interface IamCredentials {
  iamEndpoint: string;
  domain: string;
  username: string;
  password: string;
}

interface CachedToken {
  token: string;
  /** When to stop using it: before `expires_at`, so a request never arrives with an expired token. */
  renewAt: number;
}

/**
 * Project-scoped IAM tokens (MetaStudio checks the token's project), obtained from a password
 * with `POST /v3/auth/tokens` and cached per project until shortly before they expire.
 * Concurrent requests for a project share one token request.
 */
export class IamTokenProvider {
  private readonly cache = new Map<string, CachedToken>();
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(
    private readonly credentials: IamCredentials,
    private readonly options: {
      dispatcher: Dispatcher;
      timeoutMs: number;
      logger: Logger;
      now?: () => number;
    },
  ) {}

  async token(projectId: string, signal?: AbortSignal): Promise<string> {
    const now = this.options.now?.() ?? Date.now();
    const cached = this.cache.get(projectId);
    if (cached && cached.renewAt > now) return cached.token;
    let pending = this.inflight.get(projectId);
    if (!pending) {
      pending = this.issue(projectId, signal).finally(() => this.inflight.delete(projectId));
      this.inflight.set(projectId, pending);
    }
    return pending;
  }

  /** Forgets a project's token after MetaStudio refused it; the next request gets a fresh one. */
  invalidate(projectId: string): void {
    this.cache.delete(projectId);
  }

  private async issue(projectId: string, signal?: AbortSignal): Promise<string> {
    const { iamEndpoint, domain, username, password } = this.credentials;
    const body = JSON.stringify({
      auth: {
        identity: {
          methods: ["password"],
          password: { user: { name: username, password, domain: { name: domain } } },
        },
        scope: { project: { id: projectId } },
      },
    });
    const deadline = AbortSignal.timeout(this.options.timeoutMs);
    let response: Dispatcher.ResponseData;
    try {
      response = await request(`${iamEndpoint}/v3/auth/tokens`, {
        method: "POST",
        dispatcher: this.options.dispatcher,
        headers: { "content-type": "application/json;charset=utf8" },
        body,
        signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
      });
    } catch (cause) {
      throw new MetaStudioError({
        message: `Could not reach IAM at ${iamEndpoint} to obtain a token for project ${projectId}`,
        retryable: true,
        cause,
      });
    }
    const requestId = header(response.headers["x-request-id"]);
    const text = await response.body.text().catch(() => "");
    const token = header(response.headers["x-subject-token"]);
    if (response.statusCode !== 201 && response.statusCode !== 200) {
      const { code, message } = iamError(text);
      throw new MetaStudioError({
        message:
          `IAM refused a token for project ${projectId}: ${response.statusCode} ${code ?? ""} ` +
          `${message ? JSON.stringify(message) : ""}${requestId ? ` (request ${requestId})` : ""}`.replace(
            / +/g,
            " ",
          ),
        status: response.statusCode,
        errorCode: code,
        errorMsg: message,
        requestId,
        retryable: isRetryableStatus(response.statusCode),
      });
    }
    if (!token) {
      throw new MetaStudioError({
        message: "IAM answered without an X-Subject-Token header",
        retryable: false,
        requestId,
      });
    }
    const issuedAt = this.options.now?.() ?? Date.now();
    const expiresAt = expiry(text) ?? issuedAt + 3600_000;
    // Renew at 90% of the lifetime, and at least five minutes early.
    const lifetime = expiresAt - issuedAt;
    const renewAt = expiresAt - Math.max(Math.min(5 * 60_000, lifetime / 2), lifetime * 0.1);
    this.cache.set(projectId, { token, renewAt });
    this.options.logger.info(
      { project_id: projectId, expires_at: new Date(expiresAt).toISOString() },
      "obtained an IAM token",
    );
    return token;
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function expiry(text: string): number | undefined {
  try {
    const parsed = JSON.parse(text) as { token?: { expires_at?: string } };
    const at = Date.parse(parsed.token?.expires_at ?? "");
    return Number.isNaN(at) ? undefined : at;
  } catch {
    return undefined;
  }
}

/** IAM answers `{"error":{"code","message"}}`; API Gateway `{"error_code","error_msg"}`. */
function iamError(text: string): { code: string | undefined; message: string | undefined } {
  try {
    const parsed = JSON.parse(text) as {
      error?: { code?: string; message?: string };
      error_code?: string;
      error_msg?: string;
    };
    return {
      code: parsed.error?.code ?? parsed.error_code,
      message: parsed.error?.message ?? parsed.error_msg,
    };
  } catch {
    return { code: undefined, message: undefined };
  }
}

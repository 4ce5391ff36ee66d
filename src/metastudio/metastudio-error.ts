/**
 * What went wrong talking to MetaStudio (or IAM). One type, because callers branch on one thing:
 * whether trying again can help. Everything a user needs to file a ticket is on it: the HTTP
 * status, the upstream `error_code` and `error_msg`, and the `X-Request-Id`.
 */
export class MetaStudioError extends Error {
  override readonly name = "MetaStudioError";
  /**
   * HTTP status, or undefined when no response came (network error, timeout) or none could be
   * read from it (an answer that is not HTTP).
   */
  readonly status: number | undefined;
  readonly errorCode: string | undefined;
  readonly errorMsg: string | undefined;
  readonly requestId: string | undefined;
  readonly retryable: boolean;
  /** Seconds the upstream asked us to wait (a 429's `Retry-After`). */
  readonly retryAfterSeconds: number | undefined;
  /** Who answered: MetaStudio itself, or IAM while obtaining a token. @default "metastudio" */
  readonly service: "metastudio" | "iam";
  /** Attempts made before this error became final; undefined when it came from one exchange. */
  readonly attempts: number | undefined;
  /**
   * The proxy's answer when it refused the tunnel (any status but 200 to CONNECT); MetaStudio was
   * never reached, so `status` stays undefined.
   */
  readonly proxyStatus: number | undefined;

  constructor(init: {
    message: string;
    status?: number | undefined;
    errorCode?: string | undefined;
    errorMsg?: string | undefined;
    requestId?: string | undefined;
    retryable: boolean;
    retryAfterSeconds?: number | undefined;
    service?: "metastudio" | "iam";
    attempts?: number | undefined;
    proxyStatus?: number | undefined;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.errorCode = init.errorCode;
    this.errorMsg = init.errorMsg;
    this.requestId = init.requestId;
    this.retryable = init.retryable;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.service = init.service ?? "metastudio";
    this.attempts = init.attempts;
    this.proxyStatus = init.proxyStatus;
  }

  /** Throttled by the API gateway (HTTP 429, `APIGW.0308`). */
  get throttled(): boolean {
    return this.status === 429;
  }
}

/** Statuses where a second try can succeed; 400/401/403/404 are answers, not accidents. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

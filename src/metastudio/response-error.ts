import { clipToken } from "../describe-error.js";
import { ConnectFailure, type ProxyRoute } from "./connect-failure.js";
import { MetaStudioError, isRetryableStatus } from "./metastudio-error.js";
import { proxyFailureText } from "./proxy-failure-text.js";
import { BodyTooLargeError } from "./read-capped-body.js";
import { errorBodySchema } from "./room-schema.js";

/**
 * Every failure of a MetaStudio or IAM exchange as a MetaStudioError whose message a user can
 * paste into a ticket: who answered, the status, the upstream code and text, the project and the
 * request ID. Messages carry nothing from the request, so no credential can end up in one.
 */

const MAX_MSG_CHARS = 300;
const IAM_VARIABLES = "HUAWEICLOUD_IAM_DOMAIN, HUAWEICLOUD_IAM_USERNAME and HUAWEICLOUD_IAM_PASSWORD";

/** Who was being asked: MetaStudio itself, or IAM for a token. */
export type Service = "MetaStudio" | "IAM";

export interface ExchangeContext {
  service: Service;
  projectId: string;
  status?: number | undefined;
  requestId?: string | undefined;
  /**
   * What the request carried that no message may hold (the token sent, IAM's password): an
   * upstream that echoes one in its error text has it masked before the text is kept anywhere.
   */
  secrets?: readonly string[] | undefined;
  /** For IAM: where its domain, user name and password are set. @default the HUAWEICLOUD_IAM_* variables */
  credentialsSource?: string | undefined;
}

/**
 * The error body's code and text: MetaStudio and API Gateway send `{"error_code","error_msg"}`,
 * IAM `{"error":{"code","message"}}`. Anything else (a proxy's HTML page) yields neither.
 */
export function readErrorBody(
  text: string,
  secrets: readonly string[] = [],
): { code: string | undefined; message: string | undefined } {
  const found = readErrorFields(text);
  // Masked before clipping: a secret cut in half by the clip would otherwise show its first half.
  return {
    code: clipToken(maskSecrets(found.code, secrets)),
    message: clip(maskSecrets(found.message, secrets)),
  };
}

function readErrorFields(text: string): { code: string | undefined; message: string | undefined } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { code: undefined, message: undefined };
  }
  const flat = errorBodySchema.safeParse(json);
  const nested = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = flat.success ? flat.data.error_code : undefined;
  const message = flat.success ? flat.data.error_msg : undefined;
  return {
    code: code ?? (typeof nested?.code === "string" ? nested.code : undefined),
    message: message ?? (typeof nested?.message === "string" ? nested.message : undefined),
  };
}

/**
 * `text` with every occurrence of each secret replaced by `***`, in the forms an echo carries it:
 * a gateway that quotes the request back quotes the password as the JSON body wrote it (a `"` as
 * `\"`, and once more if the quote is itself JSON), or as a form or a URL would.
 */
export function maskSecrets(text: string | undefined, secrets: readonly string[]): string | undefined {
  if (text === undefined) return undefined;
  let masked = text;
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    // Longest first: a form that contains another is masked whole, not left with a tail.
    const forms = [...new Set(echoedForms(secret))].sort((a, b) => b.length - a.length);
    for (const form of forms) masked = masked.split(form).join("***");
  }
  return masked;
}

function echoedForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const url = encodeURIComponent(secret);
  return [secret, json, JSON.stringify(json).slice(1, -1), url, url.replace(/%20/g, "+")];
}

/** A non-2xx answer. */
export function errorFromResponse(
  context: ExchangeContext & { status: number; body: string; retryAfterMs: number | undefined },
): MetaStudioError {
  const { code, message } = readErrorBody(context.body, context.secrets);
  const what = [String(context.status), code, message === undefined ? undefined : JSON.stringify(message)]
    .filter((part) => part !== undefined)
    .join(" ");
  // IAM refusing is about the password, not the project: say so before anything else.
  const refused = context.service === "IAM" && (context.status === 401 || context.status === 403);
  const request = context.requestId === undefined ? "no request ID" : `request ${context.requestId}`;
  const check = context.credentialsSource ?? IAM_VARIABLES;
  return new MetaStudioError({
    message: refused
      ? `IAM refused a token for project ${context.projectId}: ${what} (${request}); check ${check}`
      : `${context.service} answered ${what} ${scope(context)}`,
    status: context.status,
    errorCode: code,
    errorMsg: message,
    requestId: context.requestId,
    retryable: isRetryableStatus(context.status),
    retryAfterSeconds: context.retryAfterMs === undefined ? undefined : context.retryAfterMs / 1000,
    service: serviceField(context.service),
  });
}

/**
 * No answer, an answer cut short (connection refused or reset, a timeout, a body shorter than its
 * Content-Length), or an answer that is not HTTP. Retryable, because nothing was decided upstream
 * (a GET is safe to repeat). A connect that failed says so and names the host it was opened to;
 * a proxy's failure is told as the proxy's.
 */
export function errorFromTransport(
  received: unknown,
  context: ExchangeContext & { timeoutMs: number },
): MetaStudioError {
  if (received instanceof ConnectFailure && received.proxy !== undefined)
    return errorFromProxy(received, received.proxy, context);
  // A direct connect's failure reads as its fault always did, then names the host; the cause
  // stays the error undici reported.
  const error = received instanceof ConnectFailure ? received.cause : received;
  const connecting = received instanceof ConnectFailure ? connectingTo(received) : "";
  const name = error instanceof Error ? error.name : undefined;
  const code = (error as { code?: unknown } | null)?.code;
  const detail = typeof code === "string" ? code : (name ?? "unknown error");
  if (error instanceof BodyTooLargeError) {
    return new MetaStudioError({
      message: `${context.service} answered ${context.status ?? "?"} with ${error.message}; dropped it ${scope(context)}`,
      status: context.status,
      requestId: context.requestId,
      // The same page will be as large next time; six tries would only read it six times.
      retryable: false,
      service: serviceField(context.service),
    });
  }
  const malformed = malformedAnswer(error, context.status);
  if (malformed !== undefined) return errorFromMalformed(malformed, context);
  const what =
    name === "TimeoutError" || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT"
      ? `did not answer within ${context.timeoutMs} ms`
      : context.status !== undefined
        ? `answered ${context.status} but the body was cut short (${detail})`
        : closedWithoutAnswer(error)
          ? `closed the connection without answering (${detail})`
          : `could not be reached (${detail})`;
  return new MetaStudioError({
    message: `${context.service} ${what}${connecting} ${scope(context)}`,
    status: context.status,
    requestId: context.requestId,
    retryable: true,
    service: serviceField(context.service),
    cause: error,
  });
}

/** ` while connecting to host:port`, and the proxy whose tunnel it went through. */
function connectingTo(failure: ConnectFailure): string {
  const { address, through } = failure;
  const via = through === undefined ? "" : ` through the proxy ${through.address} (from ${through.source})`;
  return ` while connecting to ${address}${via}`;
}

/**
 * The proxy refused, dropped or could not be reached: the upstream was never asked. No status:
 * MetaStudioError's is the upstream's, and the proxy's 403 must not read as MetaStudio's (the
 * worker gives up on a project MetaStudio answers 403 for). The cause is undici's error when
 * the proxy sent one (see ConnectFailure for the one it drops).
 */
function errorFromProxy(
  failure: ConnectFailure,
  proxy: ProxyRoute,
  context: ExchangeContext,
): MetaStudioError {
  const { what, hint, retryable } = proxyFailureText(failure, proxy);
  return new MetaStudioError({
    message: `${context.service} ${what} ${scope(context)}${hint === undefined ? "" : `; ${hint}`}`,
    requestId: context.requestId,
    retryable,
    service: serviceField(context.service),
    proxyStatus: failure.proxyStatus,
    cause: failure.cause,
  });
}

/**
 * The connection was open and the upstream (or a proxy or load balancer in front of it) ended it
 * before a status line: "could not be reached" would send the reader to DNS and routing, which
 * worked. undici reports a close as UND_ERR_SOCKET (its malformed-answer kinds are caught before
 * this); a reset on an open socket, and a close during the TLS handshake, are Node's ECONNRESET
 * without the `connect` syscall. A refused or timed-out connect, or a failed lookup, is none of these.
 */
function closedWithoutAnswer(error: unknown): boolean {
  const { code, syscall } = (error ?? {}) as { code?: unknown; syscall?: unknown };
  if (code === "UND_ERR_SOCKET") return true;
  return (code === "ECONNRESET" || code === "EPIPE") && syscall !== "connect";
}

/** undici's reasons are a few words; anything longer is not one of them. */
const MAX_REASON_CHARS = 120;

/**
 * Why undici could not read the answer as HTTP, or undefined when it did not fail that way: the
 * upstream did answer, so "could not be reached" would send whoever reads the message to look
 * at the network instead of at the proxy or gateway that wrote the garbage.
 */
function malformedAnswer(error: unknown, status: number | undefined): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  // llhttp's reason ("Invalid header value char") is only in the message: undici 7 looks its
  // HPE_ code up by number in a table keyed by name, so `code` is undefined (kept if that is fixed).
  if (error.name === "HTTPParserError") {
    const reason = /\((.+)\)$/.exec(error.message)?.[1] ?? (error.message || "HTTPParserError");
    return typeof code === "string" ? `${code}: ${reason}` : reason;
  }
  if (code === "UND_ERR_HEADERS_OVERFLOW") return `${code}: headers larger than undici accepts`;
  // A 100 Continue nobody asked for, a 101 to a request that did not ask to upgrade.
  if (code === "UND_ERR_SOCKET" && (error.message === "bad response" || error.message === "bad upgrade"))
    return `${code}: ${error.message}`;
  // Before the headers ended no body was read: undici reports a parse error after a Content-Length
  // header (two that disagree, one beside chunked encoding) as this length mismatch.
  if (code === "UND_ERR_RES_CONTENT_LENGTH_MISMATCH" && status === undefined)
    return `${code}: headers unreadable at or after Content-Length`;
  return undefined;
}

/**
 * Retried like a network fault: a malformed answer usually comes from a proxy or gateway in the
 * way (restarting, overloaded, or a kept-alive connection still holding the end of an earlier
 * answer), and undici drops the connection, so the next try starts on a fresh one. A proxy
 * broken for good fails every try, and the final message says what it sent, not that nobody did.
 * No cause: undici's error keeps the unparsed bytes, which can be our own request echoed back
 * with its token or IAM password, and `--verbose` prints every property of a cause.
 */
function errorFromMalformed(reason: string, context: ExchangeContext): MetaStudioError {
  const shown = clipToken(maskSecrets(reason, context.secrets ?? []), MAX_REASON_CHARS);
  const answered = context.status === undefined ? "answered" : `answered ${context.status}`;
  return new MetaStudioError({
    message: `${context.service} ${answered} with a malformed HTTP response (${shown}) ${scope(context)}`,
    status: context.status,
    requestId: context.requestId,
    retryable: true,
    service: serviceField(context.service),
  });
}

/**
 * A 2xx whose body is not a page. Unparseable JSON is most likely a damaged transfer, so worth
 * another try; well-formed JSON of the wrong shape will be the same next time.
 */
export function errorFromBody(
  context: ExchangeContext & { status: number; problem: "not-json" | "wrong-shape"; reason?: string },
): MetaStudioError {
  const what =
    context.problem === "not-json"
      ? "a body that is not JSON"
      : `a body that is not a page of rooms (${context.reason ?? "unexpected shape"})`;
  return new MetaStudioError({
    message: `${context.service} answered ${context.status} with ${what} ${scope(context)}`,
    status: context.status,
    requestId: context.requestId,
    retryable: context.problem === "not-json",
    service: serviceField(context.service),
  });
}

/** The error a caller finally sees: the last attempt's, saying how many attempts were made. */
export function finalError(error: MetaStudioError, attempts: number): MetaStudioError {
  if (attempts <= 1) return error;
  const why = error.retryable ? "gave up" : "stopped";
  return new MetaStudioError({
    message: `${error.message}; ${why} after ${attempts} attempts`,
    status: error.status,
    errorCode: error.errorCode,
    errorMsg: error.errorMsg,
    requestId: error.requestId,
    retryable: error.retryable,
    retryAfterSeconds: error.retryAfterSeconds,
    service: error.service,
    attempts,
    proxyStatus: error.proxyStatus,
    cause: error.cause,
  });
}

/** The same error, with the `Retry-After` this client honours instead of the one asked for. */
export function withRetryAfter(error: MetaStudioError, retryAfterSeconds: number): MetaStudioError {
  return new MetaStudioError({
    message: error.message,
    status: error.status,
    errorCode: error.errorCode,
    errorMsg: error.errorMsg,
    requestId: error.requestId,
    retryable: error.retryable,
    retryAfterSeconds,
    service: error.service,
    attempts: error.attempts,
    proxyStatus: error.proxyStatus,
    cause: error.cause,
  });
}

function serviceField(service: Service): "metastudio" | "iam" {
  return service === "IAM" ? "iam" : "metastudio";
}

function scope(context: ExchangeContext): string {
  const request = context.requestId === undefined ? "no request ID" : `request ${context.requestId}`;
  const target =
    context.service === "IAM" ? `a token for project ${context.projectId}` : `project ${context.projectId}`;
  return `for ${target} (${request})`;
}

function clip(text: string | undefined): string | undefined {
  if (text === undefined || text.length <= MAX_MSG_CHARS) return text;
  return `${text.slice(0, MAX_MSG_CHARS)}…`;
}

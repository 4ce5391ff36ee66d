import { clipToken } from "../describe-error.js";
import type { ProxyHop } from "./tunnel-routes.js";

/**
 * A connection that could not be opened, named: the host and port it was opened to and, when it
 * went through a proxy, the variable that named the proxy and the host the tunnel was for.
 * undici's own errors say neither (a refused connect names an IP address, a reset TLS handshake
 * nothing, a proxy's refusal only its status), so without this every failure of a proxy read as
 * the upstream's. A class, because the message built from it differs: response-error.ts tells a
 * proxy's failure from the upstream's by it.
 */

/** The proxy a failed connection went through. Never its URL: that can hold a user and password. */
export interface ProxyRoute {
  /** The environment variables that named the proxy, e.g. `HTTPS_PROXY`. */
  source: string;
  /** Whether the proxy's URL carries a user name or password (never what they are). */
  hasCredentials: boolean;
  /** `host:port` the proxy was asked to open a tunnel to (the CONNECT's target). */
  target: string;
}

/**
 * Given instead of the failed CONNECT's own code: undici's client takes a connect that failed
 * with UND_ERR_SOCKET (the proxy closed the connection) for a socket fault, leaves the request
 * queued and connects again at once, hammering the proxy until the request's deadline, which
 * then reports a timeout of the upstream. Any other code fails the queued requests.
 */
const PROXY_FAILURE_CODE = "ERR_PROXY_TUNNEL";

interface FailureInit {
  address: string;
  proxy?: ProxyRoute | undefined;
  through?: ProxyHop | undefined;
  proxyStatus?: number | undefined;
  error?: unknown;
}

export class ConnectFailure extends Error {
  override readonly name = "ConnectFailure";
  /**
   * A direct connection's failure keeps its cause's code: undici's client decides what to do
   * with a failed connect by it (it fails only that server name's requests on a certificate
   * that names another host). A proxy's has PROXY_FAILURE_CODE.
   */
  readonly code: string | undefined;
  /** `host:port` the connection was opened to: the proxy's when there is one. */
  readonly address: string;
  /** The proxy whose failure this is: it refused, dropped or never answered the CONNECT. */
  readonly proxy: ProxyRoute | undefined;
  /** The proxy whose tunnel was open when the connection to the upstream through it failed. */
  readonly through: ProxyHop | undefined;
  /** The proxy's answer to CONNECT, when it answered and not with 200. */
  readonly proxyStatus: number | undefined;
  /** The fault as undici or Node names it (ECONNREFUSED, UND_ERR_SOCKET, HTTPParserError). */
  readonly reason: string | undefined;
  /** Whether it failed before the connection was open (lookup, TCP connect, connect timeout). */
  readonly beforeConnected: boolean;

  constructor(init: FailureInit) {
    const reason = faultName(init.error);
    super(summary(init, reason), keptCause(init.error));
    this.address = init.address;
    this.proxy = init.proxy;
    this.through = init.through;
    this.proxyStatus = init.proxyStatus;
    this.reason = reason;
    this.code = init.proxy === undefined ? codeOf(init.error) : PROXY_FAILURE_CODE;
    this.beforeConnected = openingFailed(init.error);
  }
}

function summary(init: FailureInit, reason: string | undefined): string {
  const { address, proxy, through, proxyStatus } = init;
  const fault = `failed (${reason ?? "unknown error"})`;
  if (proxy !== undefined) {
    const what = proxyStatus === undefined ? fault : `answered ${proxyStatus}`;
    return `proxy ${address} (from ${proxy.source}), CONNECT ${proxy.target}: ${what}`;
  }
  const via = through === undefined ? "" : ` through the proxy ${through.address} (from ${through.source})`;
  return `connecting to ${address}${via} ${fault}`;
}

/**
 * The error undici reported, as the cause: except the parser's, which keeps the bytes it could
 * not read, and what a broken proxy sends back can be our CONNECT with its Proxy-Authorization.
 */
function keptCause(error: unknown): { cause: unknown } | undefined {
  if (error === undefined || (error instanceof Error && error.name === "HTTPParserError")) return undefined;
  return { cause: error };
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** llhttp's reasons are a few words; anything longer is not one of them. */
const MAX_REASON_CHARS = 120;

function faultName(error: unknown): string | undefined {
  if (error === undefined) return undefined;
  // llhttp's reason ("Expected HTTP/") is only in the message, undici 7 leaves `code` unset.
  if (error instanceof Error && error.name === "HTTPParserError") {
    const why = /\((.+)\)$/.exec(error.message)?.[1];
    return why === undefined ? error.name : `${error.name}: ${clipToken(why, MAX_REASON_CHARS)}`;
  }
  return codeOf(error) ?? (error instanceof Error ? error.name : "unknown error");
}

/** Codes that mean the connection never opened, whatever reported them. */
const NEVER_OPENED = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/**
 * Node's failed lookup and TCP connect carry the syscall; trying several addresses in turn, it
 * reports an AggregateError with the code alone, and undici's connect timeout has only a code.
 * Everything else (a reset, a close, a TLS or HTTP failure) came once the connection was open.
 */
function openingFailed(error: unknown): boolean {
  const syscall = (error as { syscall?: unknown } | null)?.syscall;
  const code = codeOf(error);
  return syscall === "connect" || syscall === "getaddrinfo" || (code !== undefined && NEVER_OPENED.has(code));
}

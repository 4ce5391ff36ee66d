import { EnvHttpProxyAgent, type Dispatcher } from "./undici.js";

export interface HttpAgentOptions {
  /** Overall deadline of one request; also bounds the header and body timeouts. */
  requestTimeoutMs: number;
  /**
   * Sockets per origin. Pages are fetched a few at a time and the rate limit keeps the total
   * low, so a handful of kept-alive connections carries everything.
   * @default 16
   */
  connections?: number;
  /**
   * Longest a connection may take to open (DNS, TCP, TLS), capped by `requestTimeoutMs`: a host
   * that cannot be reached should fail fast and be retried, not eat the whole deadline.
   * @default 10000
   */
  connectTimeoutMs?: number;
}

/**
 * The dispatcher every MetaStudio and IAM request goes through: kept-alive connections, so paging
 * does not pay a TLS handshake per page, and the proxy the environment names (`HTTP_PROXY`,
 * `HTTPS_PROXY`, `NO_PROXY`, as curl and the Huawei Cloud SDKs read them), since corporate
 * networks often reach the cloud only through one.
 *
 * The header and body timeouts catch a server that stalls; the caller's AbortSignal enforces the
 * overall deadline, which these per-phase timeouts alone cannot (a body trickling in never
 * trips `bodyTimeout`).
 */
export function createHttpAgent(options: HttpAgentOptions): Dispatcher {
  const timeout = options.requestTimeoutMs;
  return new EnvHttpProxyAgent({
    connections: options.connections ?? 16,
    connect: { timeout: Math.min(timeout, options.connectTimeoutMs ?? 10_000) },
    headersTimeout: timeout,
    bodyTimeout: timeout,
    // Short idle reuse: a gateway that drops idle sockets first turns the next request into a
    // reset. undici also honours a shorter `Keep-Alive: timeout` hint from the server.
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 30_000,
  });
}

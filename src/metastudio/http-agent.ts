import { ConfigError } from "../config/config-error.js";
import { originPoolFactory } from "./origin-pool.js";
import { proxyClientFactory } from "./proxy-client.js";
import { proxyVariables } from "./proxy-source.js";
import type { TunnelRoutes } from "./tunnel-routes.js";
import { EnvHttpProxyAgent, type Dispatcher, type EnvHttpProxyAgentOptions } from "./undici.js";

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
 *
 * A failed connect names what failed (see connect-failure.ts): the upstream's host and port, or
 * the proxy, the variable that named it and what it did. Through a proxy a connection opens in
 * three steps, each bounded by the connect timeout: the connection to the proxy and the TLS inside
 * the tunnel (undici gives both connectors of their own, with its 10 s default unless told), and
 * the proxy's answer to CONNECT (proxy-client.ts). Each needs its bound: undici does not end a
 * request on its AbortSignal while the request's connection is being opened, so an unbounded step
 * held it past its deadline (a proxy that never answered CONNECT, for undici's 300 s).
 * @throws ConfigError when a proxy variable holds something that is not an http(s) URL
 */
export function createHttpAgent(options: HttpAgentOptions): Dispatcher {
  const timeout = options.requestTimeoutMs;
  const connectTimeoutMs = Math.min(timeout, options.connectTimeoutMs ?? 10_000);
  const tunnels: TunnelRoutes = new Map();
  const settings: EnvHttpProxyAgentOptions = {
    connections: options.connections ?? 16,
    connect: { timeout: connectTimeoutMs },
    proxyTls: { timeout: connectTimeoutMs },
    requestTls: { timeout: connectTimeoutMs },
    factory: originPoolFactory(tunnels),
    clientFactory: proxyClientFactory({ answerTimeoutMs: connectTimeoutMs, tunnels }),
    headersTimeout: timeout,
    bodyTimeout: timeout,
    // Short idle reuse: a gateway that drops idle sockets first turns the next request into a
    // reset. undici also honours a shorter `Keep-Alive: timeout` hint from the server.
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 30_000,
  };
  try {
    return new EnvHttpProxyAgent(settings);
  } catch (error) {
    throw unusableProxy(error);
  }
}

/**
 * undici parses the proxy's URL as the agent is made. Its error is replaced, not kept as the
 * cause: Node's TypeError holds the whole URL as `input`, user and password included, and
 * `--verbose` and the logs print every property of a cause.
 */
function unusableProxy(error: unknown): unknown {
  const { http, https } = proxyVariables();
  const names = [...new Set([https, http])].filter((name) => name !== undefined);
  if (names.length === 0) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const why = typeof code === "string" ? code : error instanceof Error ? error.name : "unknown error";
  return new ConfigError(
    `the proxy in ${names.join(" or ")} is not a URL undici can use (${why}); write it as http://host:port, with user:password@ before the host if the proxy asks for them`,
  );
}

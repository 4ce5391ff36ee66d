import type { ConnectFailure, ProxyRoute } from "./connect-failure.js";
import { isRetryableStatus } from "./metastudio-error.js";

/** What a proxy's failure says, after the service's name and before the request's scope. */
export interface ProxyFailureText {
  /** e.g. `could not be reached: the proxy proxy.corp:3128 (from HTTPS_PROXY) answered 502 to CONNECT …` */
  what: string;
  /** What to fix, after the scope; only when the operator has to fix something. */
  hint: string | undefined;
  retryable: boolean;
}

/**
 * A failure that is the proxy's, told as the proxy's: it never reached the upstream, so nothing
 * may read as the upstream's answer or silence. A network fault stays retryable; an answer is
 * judged as any status is (a 502 or 503 retried, a 403 not), and a 407 is the proxy's user or
 * password, which only the operator can fix, in the variable the message names.
 */
export function proxyFailureText(failure: ConnectFailure, proxy: ProxyRoute): ProxyFailureText {
  const named = `the proxy ${failure.address} (from ${proxy.source})`;
  const status = failure.proxyStatus;
  if (status !== undefined) {
    const label = status === 407 ? "407 Proxy Authentication Required" : String(status);
    const hint =
      status !== 407
        ? undefined
        : proxy.hasCredentials
          ? `check the user name and password in ${proxy.source}`
          : `the proxy asks for a user name and password, which ${proxy.source} does not hold (http://user:password@host:port)`;
    return {
      what: `could not be reached: ${named} answered ${label} to CONNECT ${proxy.target}`,
      hint,
      retryable: isRetryableStatus(status),
    };
  }
  const reason = failure.reason ?? "unknown error";
  const what = failure.beforeConnected
    ? `could not be reached (${reason}) while connecting to ${named}`
    : `could not be reached: ${named} ${unanswered(reason, `CONNECT ${proxy.target}`)} (${reason})`;
  return { what, hint: undefined, retryable: true };
}

/** How the proxy failed to answer the CONNECT once the connection to it was open. */
function unanswered(reason: string, connect: string): string {
  if (reason === "UND_ERR_SOCKET") return `closed the connection without answering ${connect}`;
  if (reason === "ECONNRESET" || reason === "EPIPE")
    return `reset the connection without answering ${connect}`;
  if (reason === "UND_ERR_HEADERS_TIMEOUT") return `did not answer ${connect} within the connect timeout`;
  // An https:// proxy: the TLS handshake with the proxy itself failed, before any CONNECT.
  if (/SSL|TLS|CERT/.test(reason)) return `failed the TLS handshake, before ${connect}`;
  if (reason.startsWith("HTTPParserError")) return `answered ${connect} with a malformed HTTP response`;
  return `failed to answer ${connect}`;
}

/**
 * One spelling per endpoint: scheme and host lower-cased (IDN as punycode), a default port
 * dropped, `.` segments resolved, trailing slashes removed. The endpoint is hashed into the
 * account's Redis limiter key (src/queue/account-key.ts) and stored in `sync_projects`, so
 * `https://MetaStudio.example.com:443/` beside `https://metastudio.example.com` in another
 * deployment was two limiters for one upstream, each allowing the full rate. The path keeps its
 * case: only the host is case-insensitive. `raw` has passed urlProblem, so it parses.
 */
export function normalizeEndpoint(raw: string): string {
  const url = new URL(raw);
  // urlProblem refused a query or fragment.
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

import { controlCharacterProblem } from "./control-character-problem.js";
import { AT_AFTER_AUTHORITY, hasAtAfterAuthority } from "./has-at-after-authority.js";

/**
 * What is wrong with `raw` as a URL of one of `protocols` (`"https:"`), said after its variable
 * or key ("METASTUDIO_ENDPOINT must ..."), or undefined when it is fine. Never quotes the value.
 * `endpoint: true` refuses a user name or password: in an endpoint they would be sent with no
 * request needing them, and stored (`sync_projects.endpoint`) and logged with the endpoint. It
 * refuses a query or fragment too: every request appends its own path and query to the endpoint,
 * so `https://host/?region=x` sent `https://host/?region=x/v1/...`, a path inside the query.
 * Callers trim `raw` first: a line break at either end (`echo` into a `_FILE`) is no mistake.
 */
export function urlProblem(
  raw: string,
  protocols: readonly string[],
  { endpoint }: { endpoint: boolean },
): string | undefined {
  // Both before parsing. The parser drops a line break or tab inside unsaid: requests would go to
  // the cleaned URL while the raw one stays the account's endpoint, stored and hashed into its
  // limiter's key (src/queue/account-key.ts), so two spellings of one endpoint were two limiters.
  const control = controlCharacterProblem(raw);
  if (control !== undefined) return control;
  // Such a URL parses, to the wrong host, or fails as "not a URL", unexplained.
  if (hasAtAfterAuthority(raw)) return AT_AFTER_AUTHORITY;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "is not a valid URL";
  }
  if (!protocols.includes(url.protocol)) {
    return `must start with ${protocols.map((p) => `${p}//`).join(" or ")}; got ${url.protocol}//`;
  }
  if (!endpoint) return undefined;
  if (url.username !== "" || url.password !== "") {
    return (
      "must not contain a user name or password (`user:password@`): credentials have their own " +
      "settings, and an endpoint is stored and logged"
    );
  }
  // `raw`, not `url`: a lone `?` or `#` parses to an empty search or hash.
  if (/[?#]/.test(raw)) {
    return (
      "must not contain a query or fragment (`?...` or `#...`): each request adds its own path and " +
      "query to the endpoint; give scheme, host, an optional port and an optional path"
    );
  }
  return undefined;
}

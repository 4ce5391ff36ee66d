import { controlCharacterProblem } from "./control-character-problem.js";
import { AT_AFTER_AUTHORITY, hasAtAfterAuthority } from "./has-at-after-authority.js";

/**
 * What is wrong with `raw` as a URL of one of `protocols` (`"https:"`), said after its variable
 * or key ("METASTUDIO_ENDPOINT must ..."), or undefined when it is fine. Never quotes the value.
 * `credentials: false` refuses a user name or password: in an endpoint they would be sent with
 * no request needing them, and stored (`sync_projects.endpoint`) and logged with the endpoint.
 * Callers trim `raw` first: a line break at either end (`echo` into a `_FILE`) is no mistake.
 */
export function urlProblem(
  raw: string,
  protocols: readonly string[],
  { credentials }: { credentials: boolean },
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
  if (!credentials && (url.username !== "" || url.password !== "")) {
    return (
      "must not contain a user name or password (`user:password@`): credentials have their own " +
      "settings, and an endpoint is stored and logged"
    );
  }
  return undefined;
}

import { AT_AFTER_AUTHORITY, hasAtAfterAuthority } from "./has-at-after-authority.js";

/**
 * What is wrong with `raw` as a URL of one of `protocols` (`"https:"`), said after its variable
 * or key ("METASTUDIO_ENDPOINT must ..."), or undefined when it is fine. Never quotes the value.
 * `credentials: false` refuses a user name or password: in an endpoint they would be sent with
 * no request needing them, and stored (`sync_projects.endpoint`) and logged with the endpoint.
 */
export function urlProblem(
  raw: string,
  protocols: readonly string[],
  { credentials }: { credentials: boolean },
): string | undefined {
  // Before parsing: such a URL parses, to the wrong host, or fails as "not a URL", unexplained.
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

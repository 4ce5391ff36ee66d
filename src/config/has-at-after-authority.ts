/**
 * What to do about an `@` after a URL's authority, for messages that name the variable or key.
 * The value is never quoted: the text around that `@` is most likely a password.
 */
export const AT_AFTER_AUTHORITY =
  "has an `@` after its host (in the path, query or fragment), which is how an unencoded `#`, `?` " +
  "or `/` in a password reads: percent-encode them in the password (%23, %3F, %2F; `@` as %40)";

/**
 * Whether `url` has an `@` past its authority. The authority ends at the first `/`, `?` or `#`
 * after `scheme://` (and at `\`, which WHATWG reads as `/` for http), so a password holding one
 * of those unencoded ends it early: `postgres://u:99#pw@db/x` is host `u`, port 99 and the
 * fragment `pw@db/x`. Every parser reads it so, quietly: the URL points elsewhere, and code
 * redacting "the password" finds none and prints the real one as a fragment or path. An `@`
 * there has no other use in our URLs (a user name in a parameter can be written `%40` too).
 */
export function hasAtAfterAuthority(url: string): boolean {
  const rest = /^[a-z][a-z0-9+.-]*:\/\/(.*)$/is.exec(url)?.[1];
  if (rest === undefined) return false;
  const end = rest.search(/[/?#\\]/);
  return end !== -1 && rest.includes("@", end);
}

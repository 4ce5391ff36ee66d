import { hasAtAfterAuthority } from "./has-at-after-authority.js";

/**
 * A connection URL fit to print: its password (in the authority or a `password` parameter)
 * replaced by `***`. A value that does not parse as a URL is not echoed at all: it may be a
 * password pasted into the wrong variable. Nor is one with an `@` after its authority: its
 * password's end is ambiguous (a raw `#`, `?` or `/` in it ends the authority), and the parsed
 * URL's empty password would leave the real one in the printed path, query or fragment.
 * libpq's form for a Unix socket, nothing between `@` and the path
 * (`postgres://app@/db?host=/run/postgresql`), is read as pg-connection-string reads it: with a
 * stand-in host, removed again from what is printed.
 */
export function redactUrl(value: string): string {
  if (hasAtAfterAuthority(value)) return "(not printed: an `@` after its host makes its password ambiguous)";
  const hostless = !URL.canParse(value);
  const text = hostless ? value.replace("@/", `@${STAND_IN_HOST}/`) : value;
  if (!URL.canParse(text)) return "(not a URL)";
  const url = new URL(text);
  if (url.password) url.password = "***";
  for (const key of [...url.searchParams.keys()]) {
    if (/pass|secret|token/i.test(key)) url.searchParams.set(key, "***");
  }
  const printed = url.toString();
  return hostless ? printed.replace(`@${STAND_IN_HOST}/`, "@/") : printed;
}

const STAND_IN_HOST = "stand-in.invalid";

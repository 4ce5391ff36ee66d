/**
 * A connection URL fit to print: its password (in the authority or a `password` parameter)
 * replaced by `***`. A value that does not parse as a URL is not echoed at all: it may be a
 * password pasted into the wrong variable.
 */
export function redactUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "(not a URL)";
  }
  if (url.password) url.password = "***";
  for (const key of [...url.searchParams.keys()]) {
    if (/pass|secret|token/i.test(key)) url.searchParams.set(key, "***");
  }
  return url.toString();
}

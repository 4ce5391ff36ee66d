import { controlCharacterProblem } from "./control-character-problem.js";

/**
 * What keeps `value` from being sent as an HTTP header value, said after its variable or key
 * ("METASTUDIO_APP_USER_ID has ..."), or undefined. Never quotes the value: it may be a secret.
 *
 * Printable ASCII and space only. undici takes tab and Latin-1 bytes too, but refuses anything
 * else (`用户1`, a line break) only when the request is made, as UND_ERR_INVALID_ARG, which the
 * client retries as a network error; and a Latin-1 byte is sent as one byte but signed (AK/SK)
 * as its two UTF-8 bytes, so the signature could never match. No AK, token or user ID that
 * Huawei Cloud issues has any of them, so refusing them at start-up costs nothing.
 */
export function headerValueProblem(value: string): string | undefined {
  const control = controlCharacterProblem(value);
  if (control !== undefined) return `${control} in an HTTP header`;
  const other = /[^\u0020-\u007e]/.exec(value);
  if (other) {
    return (
      `has a character (at position ${other.index + 1}) that an HTTP header cannot carry: ` +
      "only printable ASCII can be sent"
    );
  }
  return undefined;
}

/**
 * What is wrong with a credential or URL holding a control character, said after its variable or
 * key ("HUAWEICLOUD_SDK_SK contains ..."), or undefined. Never quotes the value: it is a secret,
 * or a URL that may hold one.
 *
 * One check for the environment and the accounts file alike. Trimming takes a trailing line break
 * (`echo` into a secret file) before this; one inside stays, and nothing refuses it later: an SK
 * with it signs with another key and gets a 401 (a trailing NUL even signs the same, HMAC pads
 * short keys with zeros), an IAM user or password gets IAM's "username or password is wrong",
 * and the URL parser silently drops a line break or tab inside any URL (see urlProblem).
 */
export function controlCharacterProblem(value: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(value)
    ? "contains a control character (a line break?); it cannot be sent"
    : undefined;
}

/**
 * Bad usage or configuration: the user can fix it, a retry cannot. The CLI prints the message
 * alone (no stack) and exits 2; the worker treats it as unrecoverable.
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

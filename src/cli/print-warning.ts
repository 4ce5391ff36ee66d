/**
 * A command's warning that has no logger to go to (migrate, status, changes, serve-db): one line
 * on stderr, so it neither mixes into the command's output nor needs LOG_LEVEL to be seen.
 */
export function printWarning(message: string): void {
  process.stderr.write(`warning: ${message}\n`);
}

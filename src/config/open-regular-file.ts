import { closeSync, constants, fstatSync, openSync, statSync } from "node:fs";

import { ConfigError } from "./config-error.js";

/**
 * A descriptor of the regular file `path`, which `variable` names, for reading; a ConfigError
 * naming both when it cannot be read or is no regular file. Checked before opening: opening a
 * FIFO for reading blocks until a writer comes, which hung start-up for good. O_NONBLOCK covers
 * a FIFO put there between the check and the open (it has no effect on a regular file), and the
 * check is made again on what was opened.
 */
export function openRegularFile(variable: string, path: string): number {
  let fd: number;
  try {
    if (!statSync(path).isFile()) throw notRegular(variable, path);
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (cause) {
    if (cause instanceof ConfigError) throw cause;
    throw new ConfigError(`${variable} names ${path}, which cannot be read (${codeOf(cause)}).`);
  }
  try {
    if (!fstatSync(fd).isFile()) throw notRegular(variable, path);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}

function notRegular(variable: string, path: string): ConfigError {
  return new ConfigError(`${variable} names ${path}, which is not a regular file.`);
}

function codeOf(cause: unknown): string {
  return cause instanceof Error && "code" in cause ? String(cause.code) : "unreadable";
}

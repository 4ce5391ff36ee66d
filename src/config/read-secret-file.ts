import { closeSync, fstatSync, readSync } from "node:fs";

import { ConfigError } from "./config-error.js";
import { openRegularFile } from "./open-regular-file.js";

/** Largest `*_FILE` read: a secret or a setting is a few hundred bytes. */
export const MAX_SECRET_FILE_BYTES = 64 * 1024;

/**
 * The text of the file `NAME_FILE` names: a regular file of at most MAX_SECRET_FILE_BYTES.
 * `/dev/zero` or a FIFO would be read forever (or abort the process), a directory is a mistake;
 * the error names the variable and the path, never the content.
 */
export function readSecretFile(variable: string, path: string): string {
  const fd = openRegularFile(variable, path);
  try {
    const stat = fstatSync(fd);
    if (stat.size > MAX_SECRET_FILE_BYTES) {
      throw new ConfigError(
        `${variable} names ${path}, which has ${stat.size} bytes; a secret file may have ${MAX_SECRET_FILE_BYTES} at most.`,
      );
    }
    const buffer = Buffer.alloc(MAX_SECRET_FILE_BYTES + 1);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    if (length > MAX_SECRET_FILE_BYTES)
      throw new ConfigError(`${variable} names ${path}, which grew while read.`);
    return buffer.subarray(0, length).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

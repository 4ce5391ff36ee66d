import type { Readable } from "node:stream";

import { DEFAULT_MAX_BODY_BYTES } from "../config/read-upstream-limits.js";

export { DEFAULT_MAX_BODY_BYTES };

/** A response body over the limit: the same next time, so not worth another try. */
export class BodyTooLargeError extends Error {
  override readonly name = "BodyTooLargeError";
  readonly code = "BODY_TOO_LARGE";
  constructor(readonly maxBytes: number) {
    super(`a body larger than ${maxBytes} bytes (METASTUDIO_MAX_BODY_BYTES)`);
  }
}

/**
 * The whole body, counted while it streams: an oversized or endless body is dropped at
 * `maxBytes` (the connection with it) instead of being buffered until the process runs out of
 * memory. A declared Content-Length over the limit is refused before a byte is read.
 */
export async function readCappedBody(
  body: Readable,
  maxBytes: number,
  declaredLength: number | undefined,
): Promise<Buffer> {
  if (declaredLength !== undefined && declaredLength > maxBytes) {
    // Nothing reads this body, so nothing listens to it: once the response has ended, undici
    // emits the destroy as an 'error' ("Request aborted"), which unheard would be an uncaught
    // exception, and the process would die of an answer it had just refused.
    body.on("error", () => {});
    body.destroy();
    throw new BodyTooLargeError(maxBytes);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const bytes = chunk as Buffer;
    total += bytes.length;
    if (total > maxBytes) {
      chunks.length = 0;
      body.destroy();
      throw new BodyTooLargeError(maxBytes);
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, total);
}

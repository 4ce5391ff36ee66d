import type { ServerResponse } from "node:http";

/** Answers `status` with `body` as JSON, its length declared, `extra` headers on top. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  extra: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "Content-Type": "application/json;charset=UTF-8",
    "Content-Length": Buffer.byteLength(text),
    ...extra,
  });
  response.end(text);
}

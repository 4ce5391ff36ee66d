import type { IncomingMessage, ServerResponse } from "node:http";

import type { SimulatorRequestLog } from "./request-log.js";
import { sendJson } from "./send-json.js";

/** One request being answered, with its entry in the request log. */
export interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
  log: SimulatorRequestLog;
}

/** Answers with JSON and logs the status. */
export function reply(
  exchange: Exchange,
  status: number,
  body: unknown,
  extra?: Record<string, string>,
): void {
  exchange.log.status = status;
  sendJson(exchange.response, status, body, extra);
}

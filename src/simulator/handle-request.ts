import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

import { reply, type Exchange } from "./exchange.js";
import { answerListRequest } from "./list-endpoint.js";
import { routeRequest, type RequestRoute } from "./request-route.js";
import { sendJson } from "./send-json.js";
import type { SimulatorState } from "./simulator-state.js";
import { answerTokenRequest } from "./token-endpoint.js";

/**
 * One request, from arrival to answer: stamped, routed, logged, then answered (see `answer`).
 * Never rejects: an unexpected exception is answered 500 `MSS.00000004` here.
 */
export async function handleRequest(
  state: SimulatorState,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const requestId = randomUUID().replace(/-/g, "");
  response.setHeader("X-Request-Id", requestId);
  let exchange: Exchange | undefined;
  try {
    // Node would send our clock; a real upstream sends its own, the one client can measure skew by.
    response.setHeader("Date", state.upstreamNow().toUTCString());
    const route = routeRequest(request.method, request.url);
    exchange = { request, response, log: state.log.record(request, route, requestId) };
    await answer(state, exchange, route);
  } catch (error) {
    failInternally(response, exchange, error);
  }
}

/**
 * Delayed by `latencyMs`, then answered by a scripted hostile answer if one is due, else by its
 * endpoint.
 */
async function answer(state: SimulatorState, exchange: Exchange, route: RequestRoute): Promise<void> {
  if (state.behaviour.latencyMs > 0)
    await new Promise((resolve) => setTimeout(resolve, state.behaviour.latencyMs));

  const { endpoint } = route;
  if (endpoint.kind === "health") return reply(exchange, 200, { status: "ok" });
  const scripted =
    route.hostile === undefined ? undefined : state.hostile.serve(route.hostile, exchange.response);
  if (scripted !== undefined) {
    exchange.log.status = scripted;
    return;
  }
  switch (endpoint.kind) {
    case "token":
      return answerTokenRequest(exchange, state.auth, state.behaviour);
    case "list":
      return answerListRequest(state, exchange, endpoint.projectId, route.params);
    case "none":
      return reply(exchange, 404, {
        error_code: "APIGW.0101",
        error_msg: "The API does not exist or has not been published",
      });
  }
}

/**
 * The 500 for an exception no endpoint expected, logged through `reply` like any other answer so
 * the log (and the drills counting statuses in it) shows the 500 the client got. A request that
 * failed before it was logged (a malformed escape in its path) is answered all the same. Once
 * headers are out no status can be sent any more.
 */
function failInternally(response: ServerResponse, exchange: Exchange | undefined, error: unknown): void {
  if (response.headersSent) return;
  const body = { error_code: "MSS.00000004", error_msg: String(error) };
  if (exchange === undefined) sendJson(response, 500, body);
  else reply(exchange, 500, body);
}

import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

import { reply, type Exchange } from "./exchange.js";
import { answerListRequest } from "./list-endpoint.js";
import { routeRequest } from "./request-route.js";
import type { SimulatorState } from "./simulator-state.js";
import { answerTokenRequest } from "./token-endpoint.js";

/**
 * One request, from arrival to answer: stamped, routed, logged, delayed by `latencyMs`, then
 * answered by a scripted hostile answer if one is due, else by its endpoint.
 */
export async function handleRequest(
  state: SimulatorState,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const requestId = randomUUID().replace(/-/g, "");
  response.setHeader("X-Request-Id", requestId);
  // Node would send our clock; a real upstream sends its own, the one client can measure skew by.
  response.setHeader("Date", state.upstreamNow().toUTCString());
  const route = routeRequest(request.method, request.url);
  const exchange: Exchange = { request, response, log: state.log.record(request, route, requestId) };
  if (state.behaviour.latencyMs > 0)
    await new Promise((resolve) => setTimeout(resolve, state.behaviour.latencyMs));

  const { endpoint } = route;
  if (endpoint.kind === "health") return reply(exchange, 200, { status: "ok" });
  const scripted = route.hostile === undefined ? undefined : state.hostile.serve(route.hostile, response);
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

import { reply, type Exchange } from "./exchange.js";
import { listBody } from "./list-body.js";
import { failsInternally, resetsConnection, throttles, truncatesBody } from "./list-faults.js";
import { validateListQuery } from "./list-query.js";
import type { ListQuery } from "./room-store.js";
import type { SimulatorState } from "./simulator-state.js";

/**
 * `GET /v1/{project_id}/smart-chat-rooms`, in the order the upstream's layers see it: a
 * connection reset, the gateway's rate limit and throttling, authentication, the service's own
 * checks and failures, then the page, computed from the rooms as they are now. Synchronous from
 * start to end, so a request's PRNG draws never interleave with another's.
 */
export function answerListRequest(
  state: SimulatorState,
  exchange: Exchange,
  projectId: string,
  params: URLSearchParams,
): void {
  const { behaviour, random } = state;
  if (resetsConnection(behaviour, random)) {
    exchange.log.status = -1;
    exchange.request.socket.destroy();
    return;
  }
  const overLimit = state.window.tally(state.now().getTime(), behaviour.rateLimitPerSecond);
  if (throttles(behaviour, overLimit, random)) {
    return reply(
      exchange,
      429,
      { error_code: "APIGW.0308", error_msg: "The throttling threshold has been reached" },
      { "Retry-After": String(behaviour.retryAfterSeconds) },
    );
  }
  const query = acceptedQuery(state, exchange, projectId, params);
  if (query === undefined) return;
  if (failsInternally(behaviour, random))
    return reply(exchange, 500, { error_code: "MSS.00000004", error_msg: "Internal Error" });

  state.projects.beforeList(projectId, behaviour.mutationsPerRequest, behaviour.churn, state.now().getTime());
  const result = state.projects.store(projectId).list(query, behaviour, random);
  sendPage(exchange, listBody(result), truncatesBody(behaviour, random));
}

/** The query, once the caller is authenticated and the project and parameters valid; else answered. */
function acceptedQuery(
  state: SimulatorState,
  exchange: Exchange,
  projectId: string,
  params: URLSearchParams,
): ListQuery | undefined {
  const refused = state.auth.check(exchange.request, projectId, state.behaviour.maxSkewSeconds);
  if (refused) {
    reply(exchange, 401, { error_code: "MSS.00000001", error_msg: `Unauthorized: ${refused}` });
    return undefined;
  }
  // An unknown project answers like a resource the caller cannot see; 404 keeps it distinct from auth.
  if (!state.projects.has(projectId)) {
    reply(exchange, 404, { error_code: "MSS.00000002", error_msg: "Project not found" });
    return undefined;
  }
  const query = validateListQuery(params);
  if (typeof query === "string") {
    reply(exchange, 400, { error_code: "MSS.00000003", error_msg: `Invalid parameter: ${query}` });
    return undefined;
  }
  return query;
}

function sendPage(exchange: Exchange, body: Buffer, truncate: boolean): void {
  const { request, response } = exchange;
  exchange.log.status = truncate ? -200 : 200;
  response.writeHead(200, {
    "Content-Type": "application/json;charset=UTF-8",
    "Content-Length": body.length,
  });
  if (truncate) {
    // Headers promise the whole body; the socket ends halfway, as a dropped connection would.
    response.write(body.subarray(0, Math.floor(body.length / 2)));
    setImmediate(() => request.socket.destroy());
    return;
  }
  response.end(body);
}

import type { HostileRoute } from "./hostile-answers.js";

const LIST_PATH = /^\/v1\/([^/]+)\/smart-chat-rooms\/?$/;

/** What answers a request when no hostile answer is due. */
export type Endpoint =
  | { kind: "health" }
  | { kind: "token" }
  | { kind: "list"; projectId: string }
  /** A 404 `APIGW.0101`, as the gateway answers a path or method it does not publish. */
  | { kind: "none" };

export interface RequestRoute {
  path: string;
  params: URLSearchParams;
  /** The project in a list path, whatever the method. */
  projectId: string | undefined;
  endpoint: Endpoint;
  /**
   * Whose scripted hostile answers may replace it: IAM's for any POST, the list's for any other
   * method on a list path, so a script can also answer what the real endpoint would refuse.
   */
  hostile: HostileRoute | undefined;
}

/**
 * Where a request goes, from its method and URL alone. Throws (a URIError) for a project ID with
 * a malformed escape, which handleRequest answers with a 500 before logging the request.
 */
export function routeRequest(method: string | undefined, rawUrl: string | undefined): RequestRoute {
  const url = new URL(rawUrl ?? "/", "http://simulator");
  const match = LIST_PATH.exec(url.pathname);
  const projectId = match ? decodeURIComponent(match[1]!) : undefined;
  return {
    path: url.pathname,
    params: url.searchParams,
    projectId,
    endpoint: endpointOf(method, url.pathname, projectId),
    hostile: method === "POST" ? "iam" : projectId === undefined ? undefined : "list",
  };
}

function endpointOf(method: string | undefined, path: string, projectId: string | undefined): Endpoint {
  if (method === "GET" && path === "/healthz") return { kind: "health" };
  if (method === "POST" && path === "/v3/auth/tokens") return { kind: "token" };
  return method === "GET" && projectId !== undefined ? { kind: "list", projectId } : { kind: "none" };
}

import { describe, expect, it } from "vitest";

import { routeRequest } from "../../src/simulator/request-route.js";

describe("routeRequest", () => {
  it.each([
    ["GET", "/healthz", { kind: "health" }, undefined],
    ["POST", "/healthz", { kind: "none" }, "iam"],
    ["POST", "/v3/auth/tokens", { kind: "token" }, "iam"],
    ["GET", "/v3/auth/tokens", { kind: "none" }, undefined],
    ["POST", "/anywhere", { kind: "none" }, "iam"],
    ["GET", "/v1/p%201/smart-chat-rooms/", { kind: "list", projectId: "p 1" }, "list"],
    ["PUT", "/v1/p/smart-chat-rooms", { kind: "none" }, "list"],
    ["GET", "/v1/p/smart-chat-rooms/x", { kind: "none" }, undefined],
    ["GET", "/v2/other", { kind: "none" }, undefined],
  ])("%s %s", (method, url, endpoint, hostile) => {
    const route = routeRequest(method, url);
    expect(route.endpoint).toEqual(endpoint);
    expect(route.hostile).toBe(hostile);
  });

  it("keeps the path, the query and a list path's project whatever the method", () => {
    const route = routeRequest("DELETE", "/v1/abc/smart-chat-rooms?offset=10&limit=5");
    expect(route.path).toBe("/v1/abc/smart-chat-rooms");
    expect(Object.fromEntries(route.params)).toEqual({ offset: "10", limit: "5" });
    expect(route.projectId).toBe("abc");
  });

  it("throws on a project ID with a malformed escape (the server answers a 500)", () => {
    expect(() => routeRequest("GET", "/v1/%E0%A4%A/smart-chat-rooms")).toThrow(URIError);
  });
});

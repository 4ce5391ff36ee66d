import { request } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { startSimulator, type Simulator } from "../../src/simulator/simulator.js";

const PROJECT = "0123456789abcdef0123456789abcdef";
const USER = { domain: "d", username: "u", password: "p" };

/** A simulator whose only credential is one IAM user. */
let sim: Simulator;
beforeEach(async () => {
  sim = await startSimulator({
    projectIds: [PROJECT],
    roomsPerProject: 1,
    credentials: { accessKeys: {}, tokens: [], iamUsers: [USER] },
  });
});
afterEach(() => sim.close());

function tokenRequest(password: string): string {
  return JSON.stringify({
    auth: {
      identity: { methods: ["password"], password: { user: { name: "u", password, domain: { name: "d" } } } },
      scope: { project: { id: PROJECT } },
    },
  });
}

describe("the simulated IAM token endpoint", () => {
  it("answers 201 with X-Subject-Token and a Content-Length, not a chunked body", async () => {
    const response = await request(`${sim.url}/v3/auth/tokens`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: tokenRequest("p"),
    });
    const text = await response.body.text();
    expect(response.statusCode).toBe(201);
    expect(response.headers["transfer-encoding"]).toBeUndefined();
    expect(response.headers["content-length"]).toBe(String(Buffer.byteLength(text)));
    expect(response.headers["x-subject-token"]).toMatch(/^MII/);
    expect(response.headers["x-request-id"]).toBe(sim.requests[0]?.requestId);
    expect(JSON.parse(text)).toMatchObject({ token: { methods: ["password"] } });
    expect(sim.requests[0]?.status).toBe(201);
    expect(sim.issuedTokens).toBe(1);

    // The token it issued opens the project's list.
    const list = await request(`${sim.url}/v1/${PROJECT}/smart-chat-rooms`, {
      headers: { "x-auth-token": String(response.headers["x-subject-token"]) },
    });
    await list.body.dump();
    expect(list.statusCode).toBe(200);
  });

  it("refuses a wrong password with IAM's 401", async () => {
    const response = await request(`${sim.url}/v3/auth/tokens`, {
      method: "POST",
      body: tokenRequest("wrong"),
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers["x-subject-token"]).toBeUndefined();
    expect(await response.body.json()).toMatchObject({ error: { code: "IAM.0005" } });
  });
});

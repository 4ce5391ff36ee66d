import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";

import { startSimulator, type Simulator } from "../../src/simulator/simulator.js";

const PROJECT = "0123456789abcdef0123456789abcdef";
const CREDENTIALS = { accessKeys: {}, tokens: ["t"], iamUsers: [] };

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe("the simulator's own bounds", () => {
  it("refuses an IAM request body over 64 KiB unread (413)", async () => {
    sim = await startSimulator({ projectIds: [PROJECT], roomsPerProject: 1, credentials: CREDENTIALS });
    const response = await request(`${sim.url}/v3/auth/tokens`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `{"auth":"${"x".repeat(1024 * 1024)}"}`,
    });
    expect(response.statusCode).toBe(413);
    expect(await response.body.json()).toMatchObject({ error: { code: "APIGW.0201" } });
  });

  it("keeps only the newest requests in its log", async () => {
    sim = await startSimulator({
      projectIds: [PROJECT],
      roomsPerProject: 1,
      credentials: CREDENTIALS,
      maxLoggedRequests: 10,
    });
    for (let i = 0; i < 40; i += 1) {
      const response = await request(`${sim.url}/healthz?n=${i}`);
      await response.body.dump();
    }
    expect(sim.requests.length).toBeGreaterThanOrEqual(10);
    expect(sim.requests.length).toBeLessThanOrEqual(11);
    expect(sim.requests.at(-1)?.query).toEqual({ n: "39" });
    expect(sim.requestsServed).toBe(40);
  });

  it("keeps no credential header in its log", async () => {
    sim = await startSimulator({ projectIds: [PROJECT], roomsPerProject: 1, credentials: CREDENTIALS });
    const response = await request(`${sim.url}/v1/${PROJECT}/smart-chat-rooms`, {
      headers: { "x-auth-token": "t", "x-security-token": "temporary-secret", authorization: "SDK x" },
    });
    await response.body.dump();
    const logged = JSON.stringify(sim.requests);
    expect(logged).not.toContain("temporary-secret");
    expect(sim.requests[0]?.headers["x-security-token"]).toBe("[redacted]");
  });
});

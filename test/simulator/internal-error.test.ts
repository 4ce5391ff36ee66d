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

async function list(s: Simulator): Promise<{ status: number; requestId: unknown; body: unknown }> {
  const response = await request(`${s.url}/v1/${PROJECT}/smart-chat-rooms`, {
    headers: { "x-auth-token": "t" },
  });
  return {
    status: response.statusCode,
    requestId: response.headers["x-request-id"],
    body: await response.body.json(),
  };
}

describe("an unexpected exception while answering", () => {
  it("in a scripted answer is answered 500 and logged as a 500", async () => {
    sim = await startSimulator({ projectIds: [PROJECT], roomsPerProject: 1, credentials: CREDENTIALS });
    // JSON.stringify throws on a BigInt, after the request was logged.
    sim.hostile.once("list", { kind: "page", body: { count: 1n } });
    const answered = await list(sim);
    expect(answered.status).toBe(500);
    expect(answered.body).toMatchObject({ error_code: "MSS.00000004" });
    expect(sim.requests).toHaveLength(1);
    expect(sim.requests[0]).toMatchObject({ status: 500, requestId: answered.requestId });
  });

  it("in the list endpoint is answered 500 and logged as a 500", async () => {
    sim = await startSimulator({ projectIds: [PROJECT], roomsPerProject: 1, credentials: CREDENTIALS });
    // A negative count of rooms to create makes an array of negative length: a RangeError.
    sim.setBehaviour({ mutationsPerRequest: { create: -1, update: 0, delete: 0 } });
    const answered = await list(sim);
    expect(answered.status).toBe(500);
    expect(answered.body).toMatchObject({
      error_code: "MSS.00000004",
      error_msg: expect.stringMatching(/RangeError/),
    });
    expect(sim.requests[0]).toMatchObject({ status: 500, requestId: answered.requestId });

    // The simulator goes on serving, and logs the next answer as it is.
    sim.setBehaviour({ mutationsPerRequest: { create: 0, update: 0, delete: 0 } });
    expect((await list(sim)).status).toBe(200);
    expect(sim.requests.map((r) => r.status)).toEqual([500, 200]);
  });

  it("before the request is routed is answered 500 all the same", async () => {
    sim = await startSimulator({ projectIds: [PROJECT], roomsPerProject: 1, credentials: CREDENTIALS });
    const response = await request(`${sim.url}/v1/%E0%A4%A/smart-chat-rooms`, {
      headers: { "x-auth-token": "t" },
    });
    expect(response.statusCode).toBe(500);
    expect(response.headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/);
    expect(await response.body.json()).toMatchObject({
      error_code: "MSS.00000004",
      error_msg: expect.stringMatching(/URIError/),
    });
  });
});

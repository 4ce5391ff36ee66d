import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";

import { validateListQuery } from "../../src/simulator/list-query.js";
import { parseRfc3339 } from "../../src/simulator/rfc3339-parse.js";
import { startSimulator, type Simulator } from "../../src/simulator/simulator.js";

const PROJECT = "0123456789abcdef0123456789abcdef";

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const startOf = (startTime: string) => validateListQuery(new URLSearchParams({ start_time: startTime }));

describe("the list's query parameters", () => {
  it("defaults offset to 0 and limit to 10, and takes each documented bound", () => {
    expect(validateListQuery(new URLSearchParams())).toMatchObject({ offset: 0, limit: 10 });
    const bounds = new URLSearchParams({ offset: "2147483647", limit: "100" });
    expect(validateListQuery(bounds)).toMatchObject({ offset: 2_147_483_647, limit: 100 });
    expect(validateListQuery(new URLSearchParams({ limit: "1" }))).toMatchObject({ limit: 1 });
  });

  it.each([
    ["offset", "-1"],
    ["offset", "2147483648"],
    ["offset", "1.5"],
    ["limit", "0"],
    ["limit", "101"],
    ["limit", "ten"],
  ])("refuses %s=%s", (name, value) => {
    expect(validateListQuery(new URLSearchParams({ [name]: value }))).toMatch(new RegExp(`^${name} `));
  });

  it.each([
    "2021-01-10T08:43:17Z",
    "2021-01-10T16:43:17+08:00",
    "2021-01-10T03:13:17-05:30",
    "2021-01-10T08:43:17.999999Z",
    "2021-01-10T08:43:17-00:00",
    "2024-02-29T23:59:59Z",
    "2000-02-29T00:00:00Z",
    "0050-06-30T12:00:00Z",
  ])("reads the RFC 3339 time %s as Date.parse does", (text) => {
    expect(startOf(text)).toMatchObject({ start: Math.floor(Date.parse(text) / 1000) });
  });

  it("reads a fraction's milliseconds as Date.parse does", () => {
    for (let ms = 0; ms < 1000; ms += 1) {
      const text = `2021-01-10T08:43:17.${String(ms).padStart(3, "0")}9Z`;
      expect(parseRfc3339(text), text).toBe(Date.parse(text));
    }
  });

  it.each([
    "2021-02-29T00:00:00Z", // not a leap year
    "1900-02-29T00:00:00Z", // nor is a century not divisible by 400
    "2021-04-31T00:00:00Z",
    "2021-13-01T00:00:00Z",
    "2021-01-00T00:00:00Z",
    "2021-01-10T24:00:00Z",
    "2021-01-10T08:60:00Z",
    "2021-01-10T08:43:17+24:00",
    "2021-01-10T08:43:17+08:60",
    "2021-01-10 08:43:17Z",
    "2021-01-10T08:43Z",
    "2021-01-10T08:43:17",
    "1610268197",
  ])("refuses the start_time %s, which is not an RFC 3339 time", (text) => {
    expect(startOf(text)).toBe("start_time must be RFC 3339, e.g. 2021-01-10T08:43:17Z");
  });

  it("answers an impossible date 400 MSS.00000003, with its X-Request-Id, logged as a 400", async () => {
    sim = await startSimulator({
      projectIds: [PROJECT],
      roomsPerProject: 1,
      credentials: { accessKeys: {}, tokens: ["t"], iamUsers: [] },
    });
    const response = await request(
      `${sim.url}/v1/${PROJECT}/smart-chat-rooms?start_time=2021-01-01T00:00:00Z&end_time=2021-02-30T00:00:00Z`,
      { headers: { "x-auth-token": "t" } },
    );
    expect(response.statusCode).toBe(400);
    expect(await response.body.json()).toEqual({
      error_code: "MSS.00000003",
      error_msg: "Invalid parameter: end_time must be RFC 3339, e.g. 2021-01-10T10:43:17Z",
    });
    expect(response.headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/);
    expect(sim.requests[0]).toMatchObject({ status: 400, requestId: response.headers["x-request-id"] });
  });
});

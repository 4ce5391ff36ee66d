import { describe, expect, it } from "vitest";

import { readTokenAnswer, tokenRequestBody } from "../../src/metastudio/iam-token-exchange.js";

const PROJECT = "0123456789abcdef0123456789abcdef";
const PASSWORD = "pw-never-shown";
const context = { service: "IAM" as const, projectId: PROJECT, secrets: [PASSWORD] };

describe("tokenRequestBody", () => {
  it("is a password login of the domain's user, scoped to the project", () => {
    const body = tokenRequestBody({ domain: "acme", username: "bot", password: PASSWORD }, PROJECT);
    expect(JSON.parse(body)).toEqual({
      auth: {
        identity: {
          methods: ["password"],
          password: { user: { name: "bot", password: PASSWORD, domain: { name: "acme" } } },
        },
        scope: { project: { id: PROJECT } },
      },
    });
  });
});

describe("readTokenAnswer", () => {
  it("takes the token from X-Subject-Token on a 2xx", () => {
    const reading = readTokenAnswer({ status: 201, requestId: "r", body: "{}", token: "tok-1" }, context);
    expect(reading).toEqual({ ok: true, token: "tok-1" });
  });

  it("names the credentials on a refusal, keeps IAM's code for the log, and masks the password", () => {
    const body = JSON.stringify({ error: { code: "IAM.0005", message: `wrong password ${PASSWORD}` } });
    const reading = readTokenAnswer({ status: 401, requestId: "r", body, token: undefined }, context);
    if (reading.ok) throw new Error("expected a refusal");
    expect(reading.errorCode).toBe("IAM.0005");
    expect(reading.error).toMatchObject({ status: 401, service: "iam", retryable: false });
    expect(reading.error.message).toBe(
      `IAM refused a token for project ${PROJECT}: 401 IAM.0005 "wrong password ***" (request r); ` +
        "check HUAWEICLOUD_IAM_DOMAIN, HUAWEICLOUD_IAM_USERNAME and HUAWEICLOUD_IAM_PASSWORD",
    );
  });

  it("refuses a non-2xx even when it carries a token, and retries IAM's own failures", () => {
    const reading = readTokenAnswer({ status: 503, requestId: undefined, body: "", token: "tok" }, context);
    expect(reading).toMatchObject({
      ok: false,
      errorCode: undefined,
      error: { status: 503, retryable: true },
    });
  });

  it("fails a 2xx without a token for good: asking again would get the same answer", () => {
    const reading = readTokenAnswer({ status: 201, requestId: undefined, body: "{}", token: "" }, context);
    if (reading.ok) throw new Error("expected a failure");
    expect(reading.errorCode).toBeUndefined();
    expect(reading.error).toMatchObject({ status: 201, service: "iam", retryable: false });
    expect(reading.error.message).toBe(
      `IAM answered 201 without an X-Subject-Token for project ${PROJECT} (request unknown)`,
    );
  });
});

import { describe, expect, it } from "vitest";

import { answerOutcome, authFailureOutcome, type ListAnswer } from "../../src/metastudio/exchange-outcome.js";
import { MetaStudioError } from "../../src/metastudio/metastudio-error.js";

const PROJECT = "0123456789abcdef0123456789abcdef";
const TOKEN = "tok-sent-with-the-request";
const context = { service: "MetaStudio" as const, projectId: PROJECT, secrets: [TOKEN] };

const answer = (fields: Partial<ListAnswer>): ListAnswer => ({
  status: 200,
  requestId: "req-1",
  body: '{"count":0,"smart_chat_rooms":[]}',
  retryAfter: undefined,
  date: undefined,
  ...fields,
});

function errorOf(outcome: ReturnType<typeof answerOutcome>): MetaStudioError {
  if (outcome.kind !== "error") throw new Error(`expected an error outcome, got ${outcome.kind}`);
  return outcome.error;
}

describe("answerOutcome", () => {
  it("reads a non-2xx as the upstream's error, with its Retry-After and the token masked", () => {
    const body = JSON.stringify({ error_code: "APIGW.0308", error_msg: `slow down ${TOKEN}` });
    const outcome = answerOutcome(answer({ status: 429, body, retryAfter: "7" }), context, 0);
    expect(outcome).toMatchObject({ status: 429, requestId: "req-1", kind: "error" });
    const error = errorOf(outcome);
    expect(error).toMatchObject({ errorCode: "APIGW.0308", retryable: true, retryAfterSeconds: 7 });
    expect(error.message).toBe(
      `MetaStudio answered 429 APIGW.0308 "slow down ***" for project ${PROJECT} (request req-1)`,
    );
  });

  it("ignores Retry-After on a 2xx and a non-2xx body that is not JSON", () => {
    const outcome = answerOutcome(answer({ status: 502, body: "<html>", retryAfter: undefined }), context, 0);
    expect(errorOf(outcome)).toMatchObject({ status: 502, errorCode: undefined, retryable: true });
    expect(errorOf(outcome).retryAfterSeconds).toBeUndefined();
  });

  it("retries a 2xx body that is not JSON (a damaged transfer), not one of the wrong shape", () => {
    const damaged = errorOf(answerOutcome(answer({ body: '{"count":1,"smart_' }), context, 0));
    expect(damaged.retryable).toBe(true);
    expect(damaged.message).toBe(
      `MetaStudio answered 200 with a body that is not JSON for project ${PROJECT} (request req-1)`,
    );
    const wrong = errorOf(answerOutcome(answer({ body: '{"count":"many"}' }), context, 0));
    expect(wrong.retryable).toBe(false);
    expect(wrong.message).toContain("a body that is not a page of rooms (count: ");
  });

  it("makes a page of a valid body, items placed at the request's offset, with the Date header", () => {
    const body = JSON.stringify({ count: 302, smart_chat_rooms: [{ room_id: "a" }, { room_id: 7 }] });
    const date = "Wed, 01 Jan 2025 00:00:00 GMT";
    const outcome = answerOutcome(answer({ status: 201, body, date }), context, 300);
    if (outcome.kind !== "page") throw new Error(`expected a page, got ${outcome.kind}`);
    expect(outcome).toMatchObject({ status: 201, requestId: "req-1", date, rangeWarnings: [] });
    expect(outcome.parseMs).toBeGreaterThanOrEqual(0);
    expect(outcome.page.rooms).toEqual([{ room_id: "a" }]);
    expect(outcome.page.invalid).toMatchObject([{ index: 1, offset: 301, requestId: "req-1" }]);
  });
});

describe("authFailureOutcome", () => {
  it("is an abort when the caller's signal fired, whatever the error", () => {
    const controller = new AbortController();
    const reason = new Error("run cancelled");
    controller.abort(reason);
    const iam = new MetaStudioError({ message: "IAM down", status: 503, retryable: true, service: "iam" });
    expect(authFailureOutcome(iam, controller.signal)).toEqual({
      status: undefined,
      requestId: undefined,
      kind: "aborted",
      reason,
    });
  });

  it("records IAM's failure as the attempt's error, with IAM's status and request ID", () => {
    const iam = new MetaStudioError({
      message: "IAM refused",
      status: 401,
      requestId: "iam-req",
      retryable: false,
      service: "iam",
    });
    expect(authFailureOutcome(iam, new AbortController().signal)).toEqual({
      status: 401,
      requestId: "iam-req",
      kind: "error",
      error: iam,
    });
  });

  it("rethrows anything else: a bug, not an upstream failure", () => {
    const bug = new TypeError("undefined is not a function");
    expect(() => authFailureOutcome(bug, undefined)).toThrow(bug);
  });
});

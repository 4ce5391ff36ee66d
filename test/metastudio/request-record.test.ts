import { describe, expect, it } from "vitest";

import type { ExchangeOutcome } from "../../src/metastudio/exchange-outcome.js";
import { MetaStudioError } from "../../src/metastudio/metastudio-error.js";
import { requestLogFields, requestRecord } from "../../src/metastudio/request-record.js";

const PROJECT = "0123456789abcdef0123456789abcdef";
const params = {
  projectId: PROJECT,
  offset: 200,
  limit: 100,
  startTime: "2025-01-01T00:00:00Z",
  endTime: "2025-01-02T00:00:00Z",
  roomName: "not recorded",
};
const requestedAt = new Date("2025-01-03T04:05:06.789Z");
const ended = (outcome: ExchangeOutcome) => ({
  account: "acme",
  params,
  outcome,
  attempt: 2,
  durationMs: 12.6,
  requestedAt,
});

const page: ExchangeOutcome = {
  status: 200,
  requestId: "req-p",
  kind: "page",
  page: {
    count: 203,
    countConcurrency: undefined,
    countClientNums: undefined,
    countClientNumsToken: undefined,
    rooms: [{ room_id: "a" }, { room_id: "b" }],
    invalid: [{ index: 2, offset: 202, requestId: "req-p", reason: "room_id: missing", item: {} }],
    normalised: [],
  },
  rangeWarnings: [],
  parseMs: 1,
  date: undefined,
};

describe("requestRecord", () => {
  it("counts every item the upstream sent on a page, skipped ones included", () => {
    expect(requestRecord(ended(page))).toEqual({
      account: "acme",
      projectId: PROJECT,
      requestId: "req-p",
      status: 200,
      errorCode: undefined,
      offset: 200,
      limit: 100,
      startTime: "2025-01-01T00:00:00Z",
      endTime: "2025-01-02T00:00:00Z",
      items: 3,
      attempt: 2,
      durationMs: 12.6,
      requestedAt,
    });
  });

  it("keeps the upstream's error code of a failed attempt, and no item count", () => {
    const error = new MetaStudioError({
      message: "x",
      status: 429,
      errorCode: "APIGW.0308",
      retryable: true,
    });
    const record = requestRecord(ended({ status: 429, requestId: "req-e", kind: "error", error }));
    expect(record).toMatchObject({
      status: 429,
      requestId: "req-e",
      errorCode: "APIGW.0308",
      items: undefined,
    });
  });

  it("records an aborted attempt with whatever it had received", () => {
    const record = requestRecord(
      ended({ status: 200, requestId: "req-a", kind: "aborted", reason: new Error("stop") }),
    );
    expect(record).toMatchObject({ status: 200, requestId: "req-a", errorCode: undefined, items: undefined });
  });
});

describe("requestLogFields", () => {
  it("has the request's fields in a fixed order, after the caller's bindings", () => {
    const fields = requestLogFields(requestRecord(ended(page)), { run_id: "run-1" });
    expect(Object.entries(fields)).toEqual([
      ["run_id", "run-1"],
      ["request_id", "req-p"],
      ["project_id", PROJECT],
      ["offset", 200],
      ["limit", 100],
      ["start_time", "2025-01-01T00:00:00Z"],
      ["end_time", "2025-01-02T00:00:00Z"],
      ["status", 200],
      ["error_code", undefined],
      ["attempt", 2],
      ["duration_ms", 13],
      ["items", 3],
    ]);
  });

  it("never lets a binding hide one of the request's fields, and takes no bindings", () => {
    const record = requestRecord(ended(page));
    expect(requestLogFields(record, { offset: -1, status: "fake" })).toMatchObject({
      offset: 200,
      status: 200,
    });
    expect(Object.keys(requestLogFields(record, undefined))[0]).toBe("request_id");
  });
});

import { describe, expect, it } from "vitest";

import { ConfigError } from "../../src/config/config-error.js";
import { MetaStudioError } from "../../src/metastudio/metastudio-error.js";
import { classifySyncFailure } from "../../src/queue/classify-sync-failure.js";
import { MassDeleteRefusedError, RunInProgressError } from "../../src/sync/sync-errors.js";

const upstream = (status: number | undefined, retryAfterSeconds?: number) =>
  new MetaStudioError({ message: `HTTP ${status}`, status, retryable: false, retryAfterSeconds });

describe("classifySyncFailure", () => {
  it("sees a busy project, even wrapped", () => {
    expect(classifySyncFailure(new RunInProgressError("p"), 1000)).toEqual({ kind: "busy" });
    const wrapped = new Error("outer", { cause: new RunInProgressError("p") });
    expect(classifySyncFailure(wrapped, 1000)).toEqual({ kind: "busy" });
  });

  it("holds the queue on a 429 for the longer of Retry-After and the least hold", () => {
    expect(classifySyncFailure(upstream(429, 90), 30_000, 120_000)).toEqual({
      kind: "throttled",
      retryAfterMs: 90_000,
    });
    // A ten-hour Retry-After holds the queue for the cap only: the hold stops every project.
    expect(classifySyncFailure(upstream(429, 36_000), 1000)).toEqual({
      kind: "throttled",
      retryAfterMs: 60_000,
    });
    expect(classifySyncFailure(upstream(429, 36_000), 1000, 5000)).toEqual({
      kind: "throttled",
      retryAfterMs: 5000,
    });
    // Nor does the least hold outlast a cap lowered below it.
    expect(classifySyncFailure(upstream(429, 36_000), 30_000, 2000)).toEqual({
      kind: "throttled",
      retryAfterMs: 2000,
    });
    expect(classifySyncFailure(upstream(429, 1), 30_000)).toEqual({
      kind: "throttled",
      retryAfterMs: 30_000,
    });
    expect(classifySyncFailure(new Error("run failed", { cause: upstream(429) }), 500)).toEqual({
      kind: "throttled",
      retryAfterMs: 500,
    });
  });

  it.each([400, 401, 403, 404])("does not retry an upstream %i", (status) => {
    expect(classifySyncFailure(upstream(status), 1000).kind).toBe("unrecoverable");
  });

  it.each([403, 407])("does not retry a proxy refusing the tunnel with %i", (proxyStatus) => {
    const error = new MetaStudioError({ message: "proxy", retryable: false, proxyStatus });
    expect(classifySyncFailure(error, 1000)).toEqual({
      kind: "unrecoverable",
      reason: `the proxy answered ${proxyStatus}`,
    });
  });

  it("retries a proxy's bad gateway, as any network fault", () => {
    const error = new MetaStudioError({ message: "proxy", retryable: true, proxyStatus: 502 });
    expect(classifySyncFailure(error, 1000)).toEqual({ kind: "retry" });
  });

  it("does not retry configuration errors or a refused mass deletion", () => {
    expect(classifySyncFailure(new ConfigError("bad"), 1000).kind).toBe("unrecoverable");
    expect(classifySyncFailure(new MassDeleteRefusedError("too many"), 1000).kind).toBe("unrecoverable");
  });

  it("retries what time can fix: 5xx, no response, anything else", () => {
    expect(classifySyncFailure(upstream(503), 1000)).toEqual({ kind: "retry" });
    expect(classifySyncFailure(upstream(undefined), 1000)).toEqual({ kind: "retry" });
    expect(classifySyncFailure(new Error("connection terminated"), 1000)).toEqual({ kind: "retry" });
    expect(classifySyncFailure("a string", 1000)).toEqual({ kind: "retry" });
  });
});

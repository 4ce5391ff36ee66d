import { describe, expect, it } from "vitest";

import { formatEnqueued } from "../../src/cli/format-enqueued.js";

describe("formatEnqueued", () => {
  it("names the mode, project and job of a new job", () => {
    expect(formatEnqueued({ projectId: "alpha", mode: "full", jobId: "j-1", deduplicated: false })).toBe(
      "enqueued: full sync of alpha (job j-1)",
    );
  });

  it("says when the job was already queued", () => {
    expect(formatEnqueued({ projectId: "beta", mode: "incremental", jobId: "j-2", deduplicated: true })).toBe(
      "already queued: incremental sync of beta (job j-2)",
    );
  });
});

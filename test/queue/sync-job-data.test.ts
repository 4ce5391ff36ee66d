import { describe, expect, it } from "vitest";

import { createLogger } from "../../src/logger.js";
import { createSyncProcessor } from "../../src/queue/sync-processor.js";

/** A processor that must refuse before it runs, looks up a project's account or holds anything. */
function refusingProcessor() {
  const never = () => {
    throw new Error("must not be reached");
  };
  return createSyncProcessor({
    syncDeps: never,
    logger: createLogger("silent"),
    accountOf: never,
    holds: { hold: never, remainingMs: never },
    claims: { isClaimed: never },
  });
}

describe("the job processor's check of job data", () => {
  it.each([
    ["null", null],
    ["an array", ["p1"]],
    ["a string", "p1"],
    ["a negative hand-back count", { projectId: "p1", mode: "full", trigger: "manual", handBacks: -5 }],
    ["a fractional hand-back count", { projectId: "p1", mode: "full", trigger: "manual", handBacks: 0.5 }],
    ["a hand-back count as text", { projectId: "p1", mode: "full", trigger: "manual", handBacks: "1" }],
  ])("refuses data that is %s as not a sync job, for good", async (_, data) => {
    const error = await refusingProcessor()({ id: "1", data } as never).catch((e: unknown) => e);
    expect((error as Error).name).toBe("UnrecoverableError");
    expect((error as Error).message).toMatch(/^The job's data is not a sync job/);
  });
});

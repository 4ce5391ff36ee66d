import { spawn } from "node:child_process";

import { describe, expect, it } from "vitest";

describe("the CLI writing to a pipe its reader has closed (`metastudio-sync --help | head -1`)", () => {
  it("stops quietly: no stack trace, no error", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "sync", "--help"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    // The reader goes away before the CLI writes anything.
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });
});

import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";

import { describe, expect, it } from "vitest";

const run = promisify(execFile);

/** The Node flags of the CLI's shebang, `#!/usr/bin/env -S node <flags>`. */
function shebangFlags(): string[] {
  const first = readFileSync("src/cli/main.ts", "utf8").split("\n", 1)[0]!;
  const match = /^#!\/usr\/bin\/env -S node((?: --[\w-]+(?:=\d+)?)+)$/.exec(first);
  if (!match) throw new Error(`src/cli/main.ts does not start with an env -S node shebang: ${first}`);
  return match[1]!.trim().split(" ");
}

describe("the CLI's default heap bounds", () => {
  it("are flags this Node accepts, and bound the heap under V8's default", async () => {
    const flags = shebangFlags();
    const { stdout } = await run(process.execPath, [
      ...flags,
      "-e",
      "process.stdout.write(String(require('v8').getHeapStatistics().heap_size_limit))",
    ]);
    const limitMb = Number(stdout) / 2 ** 20;
    // Under 2 GB V8 grows the old generation by less than 4x between collections: the point.
    expect(limitMb).toBeLessThan(2048);
    expect(limitMb).toBeGreaterThanOrEqual(512);
  });

  it("are the Docker image's too, which runs `node dist/bin/metastudio-sync.js` and so skips the shebang", () => {
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(readFileSync("Dockerfile", "utf8"))?.[1];
    expect(JSON.parse(entrypoint ?? "[]")).toEqual([
      "node",
      ...shebangFlags(),
      "dist/bin/metastudio-sync.js",
    ]);
  });
});

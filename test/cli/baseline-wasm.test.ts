import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { describe, expect, it } from "vitest";

const MODULE = fileURLToPath(new URL("../../src/cli/baseline-wasm.ts", import.meta.url));

/**
 * A child Node (V8's tiers are per process) that runs a tiny WebAssembly function hot, then says
 * which tier runs it, asked with V8's own test intrinsics. Without the setting it must reach the
 * optimizing tier (the check can fail), within a deadline far beyond a background compile.
 */
async function tierAfterHotLoop(baseline: boolean): Promise<string> {
  const script = `
    import { compileWasmBaselineOnly } from ${JSON.stringify(MODULE)};
    if (${baseline}) compileWasmBaselineOnly();
    const isTurbo = new Function("f", "return %IsTurboFanFunction(f)");
    const isLiftoff = new Function("f", "return %IsLiftoffFunction(f)");
    // (func (export "f") (param i32) (result i32) local.get 0 i32.const 1 i32.add)
    const bytes = new Uint8Array([0,97,115,109,1,0,0,0,1,6,1,96,1,127,1,127,3,2,1,0,7,5,1,1,102,0,0,10,9,1,7,0,32,0,65,1,106,11]);
    const f = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.f;
    const deadline = Date.now() + 10_000;
    let x = 0;
    for (let round = 0; round < 5 || (!${baseline} && !isTurbo(f) && Date.now() < deadline); round += 1) {
      for (let i = 0; i < 2e6; i += 1) x = f(x);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    process.stdout.write(isTurbo(f) ? "optimizing" : isLiftoff(f) ? "baseline" : "other");
  `;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--allow-natives-syntax", "--import", "tsx", "--input-type=module", "-e", script],
    { timeout: 30_000 },
  );
  return stdout;
}

describe("compileWasmBaselineOnly", () => {
  it("keeps hot WebAssembly on V8's baseline tier, where by default it is optimized", async () => {
    expect(await tierAfterHotLoop(false)).toBe("optimizing");
    expect(await tierAfterHotLoop(true)).toBe("baseline");
  });
});

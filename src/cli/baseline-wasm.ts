import { setFlagsFromString } from "node:v8";

/**
 * Has V8 run this process's WebAssembly on its baseline tier (Liftoff) only, never compiling it
 * again with the optimizing tier. Two modules are WebAssembly here: undici's HTTP parser (llhttp)
 * and the embedded database (PGlite). By default V8 recompiles their hot functions with TurboFan on
 * background threads, and llhttp's parser is one huge function: a quiet `sync` spent a quarter of
 * its CPU compiling it, and its exit then waited for the compile to finish (`DrainTasks`). The
 * parser's own work is small (~40 ms per 100,000 rooms at baseline speed). Measured side by side
 * (README, Memory by default): a quiet run 0.72x the CPU, 0.83x the wall time and 73 instead of
 * 109 MB at its peak; a 100,000-room first full sync 0.95x the CPU, its peak 8 MB lower; a 20,000-room
 * one into the embedded database 0.84x the CPU at the same wall time, 270 instead of 323 MB.
 *
 * Set at start-up, before either module is compiled (undici compiles its parser at its first
 * connection, PGlite when a database is opened), rather than as node flags in the shebang:
 * setFlagsFromString ignores a flag a future V8 no longer knows, where node would refuse to
 * start. `--no-wasm-tier-up` alone does not do it while dynamic tiering is on; `--liftoff-only`
 * does, but V8 lists it as for testing.
 */
export function compileWasmBaselineOnly(): void {
  setFlagsFromString("--no-wasm-dynamic-tiering");
  setFlagsFromString("--no-wasm-tier-up");
}

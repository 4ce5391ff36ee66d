/**
 * Imported first by the demo, before PGlite is loaded: its Postgres is WebAssembly, and V8's
 * optimizing tier compiles it a second time, into over 100 MB of code. The baseline compiler's
 * code alone is enough for a demo (it even starts faster). Set here rather than as a node flag:
 * setFlagsFromString ignores a flag a future V8 no longer knows, where node would refuse to start.
 */
import { setFlagsFromString } from "node:v8";

setFlagsFromString("--liftoff-only");

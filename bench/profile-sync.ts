/**
 * Developer aid, not part of `npm run bench`: one full sync of the compiled CLI against the
 * simulator with `--cpu-prof`, then the profile's self time summed per function.
 *   npx tsx bench/profile-sync.ts --rooms 20000 --out /tmp/prof
 */
import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";

import { startSimulator } from "../src/simulator/simulator.js";
import { watchProcess } from "./proc-stat.js";
import { BENCH_TOKEN, benchCliEnv, binNodeFlags, CLI } from "./run-cli.js";
import { withScratchDatabase } from "./scratch-database.js";

const { values } = parseArgs({
  options: {
    rooms: { type: "string", default: "20000" },
    out: { type: "string", default: "/tmp/metastudio-sync-prof" },
    runs: { type: "string", default: "full" },
    /** Node flags instead of the shebang's, e.g. to compare heap settings. */
    flags: { type: "string" },
  },
});
const adminUrl = process.env.DATABASE_URL!;
await withScratchDatabase(adminUrl, `msync_prof_${randomBytes(3).toString("hex")}`, async (url) => {
  const sim = await startSimulator({
    projectIds: ["p"],
    roomsPerProject: Number(values.rooms),
    seed: 42,
    credentials: { accessKeys: {}, tokens: [BENCH_TOKEN], iamUsers: [] },
    behaviour: { latencyMs: 20 },
  });
  try {
    for (const run of values.runs.split(",")) {
      const started = performance.now();
      const child = spawn(
        process.execPath,
        [
          ...(values.flags?.split(/\s+/).filter(Boolean) ?? binNodeFlags()),
          "--cpu-prof",
          `--cpu-prof-dir=${values.out}`,
          CLI,
          "sync",
          "--json",
          ...(run === "full" ? ["--full"] : []),
        ],
        {
          env: benchCliEnv(sim.url, "p", url),
          stdio: ["ignore", "ignore", "inherit"],
        },
      );
      const watch = watchProcess(child.pid);
      const status = await new Promise((resolve) => child.on("exit", resolve));
      const { cpuSeconds, peakRssMb } = watch.stop();
      process.stdout.write(
        `${run}: ${Math.round(performance.now() - started)} ms, node CPU ${cpuSeconds.toFixed(2)} s, ` +
          `peak RSS ${peakRssMb} MB, exit ${String(status)}\n`,
      );
    }
  } finally {
    await sim.close();
  }
});
const latest = readdirSync(values.out)
  .filter((f) => f.endsWith(".cpuprofile"))
  .sort()
  .pop()!;
const profile = JSON.parse(readFileSync(`${values.out}/${latest}`, "utf8")) as {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    hitCount: number;
  }>;
  samples: number[];
};
const total = profile.nodes.reduce((s, n) => s + n.hitCount, 0);
const self = new Map<string, number>();
for (const node of profile.nodes) {
  const { functionName, url: file, lineNumber } = node.callFrame;
  const key = `${functionName || "(anon)"} ${file.replace(/.*\/(node_modules|dist)\//, "$1/")}:${lineNumber}`;
  self.set(key, (self.get(key) ?? 0) + node.hitCount);
}
for (const [key, hits] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
  process.stdout.write(`${((hits / total) * 100).toFixed(1).padStart(5)}%  ${key}\n`);
}

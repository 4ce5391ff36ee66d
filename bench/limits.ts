/**
 * The machine's limit for one dataset, measured in the same run as the engine and on the same
 * rooms: how fast the rooms can be read (fetch and parse only) and how fast the rows the engine
 * writes for them can be written (COPY). The engine's full sync is judged by its ratio to these.
 * Beside them, the engine's own full sync as a dry run: everything but the writes, so the two
 * runs' difference is what writing costs node.
 */
import { measureCopyLimit, type CopyLimitResult } from "./copy-limit.js";
import { measureFetchOnly, type FetchOnlyResult } from "./fetch-only.js";
import type { RunSummary } from "../src/sync/run-summary.js";
import { binNodeFlags, runCli } from "./run-cli.js";

export interface Limits {
  fetchOnly: FetchOnlyResult;
  copy: CopyLimitResult;
  /** `sync --full --dry-run` into a freshly migrated database: the engine without its writes. */
  dryRun: DryRunResult;
}

export interface DryRunResult {
  /** The run's own duration, as the engine's full sync is timed (start-up excluded). */
  wallMs: number;
  /** The process's CPU, start-up included, as the engine's full sync is measured. */
  cpuSeconds: number;
  peakRssMb: number;
}

/**
 * The COPY holds every fetched room at once (the engine never holds more than a few batches), and
 * under the CLI's 2 MB young generation each of its thousands of scavenges paid for that heap:
 * at 100,000 rooms the collector took 28% of its node time. A limit is the best this machine can
 * do, so its young generation is sized for what it holds; a measuring artifact is not a cost the
 * engine must match.
 */
export function copyFlags(cliFlags: readonly string[]): string[] {
  return [
    ...cliFlags.filter((flag) => !flag.startsWith("--max-semi-space-size")),
    "--max-semi-space-size=16",
  ];
}

/**
 * `env` is the CLI's environment for this dataset; `withDatabase` gives the COPY a freshly
 * migrated database of its own, as the engine's first full sync has.
 */
export async function measureLimits(
  env: NodeJS.ProcessEnv,
  withDatabase: <T>(work: (url: string) => Promise<T>) => Promise<T>,
): Promise<Limits> {
  const flags = binNodeFlags();
  const fetchOnly = await measureFetchOnly(env, flags);
  const copy = await withDatabase((url) => measureCopyLimit({ ...env, DATABASE_URL: url }, copyFlags(flags)));
  const dryRun = await withDatabase((url) => measureDryRun({ ...env, DATABASE_URL: url }));
  return { fetchOnly, copy, dryRun };
}

async function measureDryRun(env: NodeJS.ProcessEnv): Promise<DryRunResult> {
  const run = await runCli(["sync", "--full", "--dry-run", "--json"], env);
  const [summary] = JSON.parse(run.stdout) as RunSummary[];
  if (summary?.status !== "succeeded") throw new Error(`bench: the dry run did not succeed: ${run.stdout}`);
  return { wallMs: summary.durationMs, cpuSeconds: run.cpuSeconds, peakRssMb: run.peakRssMb };
}

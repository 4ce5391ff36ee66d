/**
 * The machine's limit for one dataset, measured in the same run as the engine and on the same
 * rooms: how fast the rooms can be read (fetch and parse only) and how fast the rows the engine
 * writes for them can be written (COPY). The engine's full sync is judged by its ratio to these.
 */
import { measureCopyLimit, type CopyLimitResult } from "./copy-limit.js";
import { measureFetchOnly, type FetchOnlyResult } from "./fetch-only.js";
import { binNodeFlags } from "./run-cli.js";

export interface Limits {
  fetchOnly: FetchOnlyResult;
  copy: CopyLimitResult;
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
  return { fetchOnly, copy };
}

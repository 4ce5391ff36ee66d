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
 * `env` is the CLI's environment for this dataset; `withDatabase` gives the COPY a freshly
 * migrated database of its own, as the engine's first full sync has.
 */
export async function measureLimits(
  env: NodeJS.ProcessEnv,
  withDatabase: <T>(work: (url: string) => Promise<T>) => Promise<T>,
): Promise<Limits> {
  const flags = binNodeFlags();
  const fetchOnly = await measureFetchOnly(env, flags);
  const copy = await withDatabase((url) => measureCopyLimit({ ...env, DATABASE_URL: url }, flags));
  return { fetchOnly, copy };
}

import { ConfigError } from "./config-error.js";
import { type Env, readEnv } from "./read-env.js";
import { urlProblem } from "./url-problem.js";

/**
 * A URL variable, checked to parse, to use one of `protocols` and, unless `credentials`, to hold
 * no user name or password; its value never echoed.
 */
export function readUrl(
  env: Env,
  name: string,
  protocols: string[],
  { credentials = true }: { credentials?: boolean } = {},
): string | undefined {
  const raw = readEnv(env, name);
  if (raw === undefined) return undefined;
  const problem = urlProblem(raw, protocols, { credentials });
  if (problem !== undefined) throw new ConfigError(`${name} ${problem}.`);
  return raw;
}

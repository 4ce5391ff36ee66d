import { ConfigError } from "./config-error.js";
import { type Env, readEnv } from "./read-env.js";
import { urlProblem } from "./url-problem.js";

/**
 * A URL variable, checked to parse, to use one of `protocols` and, for an `endpoint`, to hold no
 * user name or password, query or fragment (see urlProblem); its value never echoed.
 */
export function readUrl(
  env: Env,
  name: string,
  protocols: string[],
  { endpoint = false }: { endpoint?: boolean } = {},
): string | undefined {
  const raw = readEnv(env, name);
  if (raw === undefined) return undefined;
  const problem = urlProblem(raw, protocols, { endpoint });
  if (problem !== undefined) throw new ConfigError(`${name} ${problem}.`);
  return raw;
}

import { ConfigError } from "./config-error.js";
import { type Env, readEnv } from "./read-env.js";

/** A URL variable, checked to parse and to use one of `protocols`; its value never echoed. */
export function readUrl(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = readEnv(env, name);
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL.`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(
      `${name} must start with ${protocols.map((p) => `${p}//`).join(" or ")}; got ${url.protocol}//.`,
    );
  }
  return raw;
}

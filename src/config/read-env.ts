import { ConfigError } from "./config-error.js";
import { parseDecimal } from "./parse-decimal.js";
import { readSecretFile } from "./read-secret-file.js";

export type Env = Record<string, string | undefined>;

/**
 * Reads `NAME`, or the file named by `NAME_FILE` (Docker and Kubernetes secrets), trimmed.
 * Setting both is refused: which one wins would be a guess, and a wrong guess is a wrong secret.
 */
export function readEnv(env: Env, name: string): string | undefined {
  const direct = blankToUndefined(env[name]);
  const file = blankToUndefined(env[`${name}_FILE`]);
  if (direct !== undefined && file !== undefined) {
    throw new ConfigError(`Set ${name} or ${name}_FILE, not both.`);
  }
  if (file === undefined) return direct;
  return blankToUndefined(readSecretFile(`${name}_FILE`, file));
}

/** How an error quotes a value: as given, unless it came from a `_FILE` that may hold a secret. */
export function quoted(env: Env, name: string, value: string): string {
  return blankToUndefined(env[`${name}_FILE`]) === undefined
    ? JSON.stringify(value)
    : `the content of ${name}_FILE`;
}

function blankToUndefined(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * A positive decimal number from the environment (`0x10` and `1e3` are refused, see
 * parseDecimal), or the default; the error names the variable.
 */
export function readNumber(
  env: Env,
  name: string,
  fallback: number,
  {
    min = 0,
    integer = false,
    max = Number.MAX_SAFE_INTEGER,
  }: { min?: number; integer?: boolean; max?: number } = {},
): number {
  const raw = readEnv(env, name);
  if (raw === undefined) return fallback;
  const value = parseDecimal(raw) ?? NaN;
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    const kind = integer ? "a whole number" : "a number";
    throw new ConfigError(`${name} must be ${kind} from ${min} to ${max}; got ${quoted(env, name, raw)}.`);
  }
  return value;
}

import { ConfigError } from "./config-error.js";
import { readEnv, type Env } from "./read-env.js";

/** Keys whose value is a credential: each may be given as `<key>_file` instead. */
export const SECRET_KEYS = new Set(["ak", "sk", "security_token", "token", "password"]);

const REFERENCE = /\$\{([^}]*)\}/g;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Nesting the accounts file can need is 3 (accounts, account, iam); anything deeper is refused. */
const MAX_DEPTH = 8;

/** Names a place in the file for an error: the file, the account (by name when it has one), the key. */
export type Describe = (path: ReadonlyArray<string | number>) => string;

/**
 * Replaces `${NAME}` in every string with the environment variable NAME and every `<key>_file`
 * of a secret key with `<key>` read from that file. An unset variable or an unreadable file is a
 * ConfigError naming it and where it was used; values never appear in a message.
 */
export function resolveValues(value: unknown, env: Env, describe: Describe): unknown {
  return resolve(value, [], env, describe);
}

function resolve(value: unknown, path: Array<string | number>, env: Env, describe: Describe): unknown {
  if (path.length > MAX_DEPTH) throw new ConfigError(`${describe(path)} is nested too deeply.`);
  if (typeof value === "string") return expand(value, path, env, describe);
  if (Array.isArray(value)) return value.map((item, i) => resolve(item, [...path, i], env, describe));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(value)) {
    const secret = /^(.+)_file$/.exec(key)?.[1];
    if (secret === undefined || !SECRET_KEYS.has(secret)) {
      out[key] = resolve(raw, [...path, key], env, describe);
      continue;
    }
    if (key in out || Object.hasOwn(value, secret)) {
      throw new ConfigError(`${describe([...path, secret])}: give ${secret} or ${key}, not both.`);
    }
    out[secret] = readSecretFile(resolve(raw, [...path, key], env, describe), [...path, key], describe);
  }
  return out;
}

function expand(value: string, path: Array<string | number>, env: Env, describe: Describe): string {
  return value.replace(REFERENCE, (_, name: string) => {
    if (!VARIABLE_NAME.test(name)) {
      throw new ConfigError(
        `${describe(path)}: \${${name}} is not a variable reference (letters, digits and _ only).`,
      );
    }
    const found = env[name];
    if (found === undefined || found === "") {
      throw new ConfigError(`${describe(path)} refers to \${${name}}, which is not set in the environment.`);
    }
    return found;
  });
}

/** Through readEnv's `NAME_FILE` reading, so both ways of giving a secret file behave alike. */
function readSecretFile(file: unknown, path: Array<string | number>, describe: Describe): string {
  if (typeof file !== "string" || file.trim() === "") {
    throw new ConfigError(`${describe(path)} must be the path of a file.`);
  }
  try {
    const secret = readEnv({ SECRET_FILE: file }, "SECRET");
    if (secret === undefined) throw new ConfigError(`${describe(path)} names ${file}, which is empty.`);
    return secret;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // readEnv names the synthetic variable; say which key of which account instead.
    throw new ConfigError(error.message.replace(/^SECRET_FILE/, describe(path)), { cause: error });
  }
}

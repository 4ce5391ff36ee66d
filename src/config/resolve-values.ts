import { ConfigError } from "./config-error.js";
import { readEnv, type Env } from "./read-env.js";

/** Keys whose value is a credential: each may be given as `<key>_file` instead. */
export const SECRET_KEYS = new Set(["ak", "sk", "security_token", "token", "password"]);

const REFERENCE = /\$\{([^}]*)\}/g;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Nesting the accounts file can need is 3 (accounts, account, iam); anything deeper is refused. */
const MAX_DEPTH = 8;
/**
 * Longest string `${NAME}` may make: what a `<key>_file` may hold (MAX_SECRET_FILE_BYTES), and
 * four times the longest value the schema takes (a 16 KiB token), so that one gets its own error.
 */
export const MAX_EXPANDED_CHARS = 64 * 1024;
/**
 * Characters all `${NAME}` together may add: room for 1000 accounts each with a 16 KiB token and
 * more; a reference repeated thousands of times ran out of string length and memory (700 MB).
 */
export const MAX_EXPANDED_TOTAL_CHARS = 32 * 1024 * 1024;

/** Names a place in the file for an error: the file, the account (by name when it has one), the key. */
export type Describe = (path: ReadonlyArray<string | number>) => string;

/**
 * Replaces `${NAME}` in every string with the environment variable NAME and every `<key>_file`
 * of a secret key with `<key>` read from that file. An unset variable or an unreadable file is a
 * ConfigError naming it and where it was used; values never appear in a message.
 */
export function resolveValues(value: unknown, env: Env, describe: Describe): unknown {
  return resolve(value, [], { env, describe, budget: { left: MAX_EXPANDED_TOTAL_CHARS } });
}

interface Context {
  env: Env;
  describe: Describe;
  /** Characters `${NAME}` may still add in the whole file. */
  budget: { left: number };
}

function resolve(value: unknown, path: Array<string | number>, context: Context): unknown {
  const { describe } = context;
  if (path.length > MAX_DEPTH) throw new ConfigError(`${describe(path)} is nested too deeply.`);
  if (typeof value === "string") return expand(value, path, context);
  if (Array.isArray(value)) return value.map((item, i) => resolve(item, [...path, i], context));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(value)) {
    const secret = /^(.+)_file$/.exec(key)?.[1];
    if (secret === undefined || !SECRET_KEYS.has(secret)) {
      out[key] = resolve(raw, [...path, key], context);
      continue;
    }
    if (key in out || Object.hasOwn(value, secret)) {
      throw new ConfigError(`${describe([...path, secret])}: give ${secret} or ${key}, not both.`);
    }
    out[secret] = readSecretFile(resolve(raw, [...path, key], context), [...path, key], describe);
  }
  return out;
}

function expand(value: string, path: Array<string | number>, { env, describe, budget }: Context): string {
  let length = value.length;
  return value.replace(REFERENCE, (reference: string, name: string) => {
    if (!VARIABLE_NAME.test(name)) {
      throw new ConfigError(
        `${describe(path)}: \${${name}} is not a variable reference (letters, digits and _ only).`,
      );
    }
    const found = env[name];
    if (found === undefined || found === "") {
      throw new ConfigError(`${describe(path)} refers to \${${name}}, which is not set in the environment.`);
    }
    // Counted before the string is built: one line of `${X}${X}...` could make gigabytes.
    length += found.length - reference.length;
    budget.left -= found.length;
    if (length > MAX_EXPANDED_CHARS) {
      throw new ConfigError(
        `${describe(path)}: with \${${name}} it is longer than ${MAX_EXPANDED_CHARS} characters.`,
      );
    }
    if (budget.left < 0) {
      throw new ConfigError(
        `${describe(path)}: with \${${name}}, the file's \${...} references come to more than ` +
          `${MAX_EXPANDED_TOTAL_CHARS} characters in all; is one repeated by mistake?`,
      );
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
    // readEnv names the synthetic variable; say which key of which account instead, and keep
    // only what it was caused by: its own message, printed as a cause, named a variable no user set.
    throw new ConfigError(
      error.message.replace(/^SECRET_FILE/, describe(path)),
      error.cause === undefined ? undefined : { cause: error.cause },
    );
  }
}

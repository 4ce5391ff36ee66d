import { closeSync, fstatSync, readSync } from "node:fs";
import { createRequire } from "node:module";

import type * as Yaml from "yaml";

import { ConfigError } from "./config-error.js";
import { describeYamlError } from "./describe-yaml-error.js";
import { openRegularFile } from "./open-regular-file.js";
import type { Describe } from "./resolve-values.js";

export const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** An accounts file is a few lines per account; anything this big is the wrong file. */
export const MAX_ACCOUNTS_FILE_BYTES = 1024 * 1024;

/**
 * The accounts file METASTUDIO_CONFIG names, parsed: a regular file of at most
 * MAX_ACCOUNTS_FILE_BYTES, YAML or JSON, nothing resolved or validated yet.
 */
export function parseAccountsDocument(file: string): unknown {
  let source: string;
  try {
    source = readBounded(file);
  } catch (cause) {
    if (cause instanceof ConfigError) throw cause;
    const reason = cause instanceof Error && "code" in cause ? String(cause.code) : "unreadable";
    throw new ConfigError(`METASTUDIO_CONFIG names ${file}, which cannot be read (${reason}).`);
  }
  try {
    // YAML 1.2 is a superset of JSON, so one parser reads both; aliases are bounded against bombs.
    // prettyErrors off: its messages quote the source. describeYamlError says code and line.
    return loadYaml().parse(source, { maxAliasCount: 100, prettyErrors: false });
  } catch (cause) {
    throw new ConfigError(`${file} is not valid YAML or JSON${describeYamlError(cause, source)}.`);
  }
}

function readBounded(file: string): string {
  const fd = openRegularFile("METASTUDIO_CONFIG", file);
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_ACCOUNTS_FILE_BYTES) {
      throw new ConfigError(`${file} is ${size} bytes; an accounts file may be at most 1 MiB.`);
    }
    const buffer = Buffer.alloc(size);
    const read = readSync(fd, buffer, 0, size, 0);
    return buffer.subarray(0, read).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/**
 * The YAML parser, loaded when a file is read: it is 73 modules, about 40 ms of CPU at every
 * start of every command, and most deployments configure no accounts file.
 */
function loadYaml(): typeof Yaml {
  return createRequire(import.meta.url)("yaml") as typeof Yaml;
}

/**
 * How an error names a place in the file: the account by its name and index, then the key
 * (`accounts.yaml: account "cn" (accounts[0]), key projects.1`); a name that is not a valid one is
 * left out, since any value of the file may be a secret put in the wrong place.
 */
export function describeAccountsPath(file: string, document: unknown): Describe {
  return (path) => {
    if (path[0] !== "accounts" || typeof path[1] !== "number") {
      return path.length === 0 ? `${file}:` : `${file}: ${path.join(".")}`;
    }
    const accounts = (document as { accounts?: unknown[] } | null)?.accounts;
    const name = (accounts?.[path[1]] as { name?: unknown } | undefined)?.name;
    const account =
      typeof name === "string" && ACCOUNT_NAME.test(name)
        ? `account "${name}" (accounts[${path[1]}])`
        : `accounts[${path[1]}]`;
    const key = path.slice(2).join(".");
    return key ? `${file}: ${account}, key ${key}` : `${file}: ${account}`;
  };
}

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { createRequire } from "node:module";

import type * as Yaml from "yaml";
import * as z from "zod";

import { ConfigError } from "./config-error.js";
import type { Env } from "./read-env.js";
import { resolveValues, type Describe } from "./resolve-values.js";

/** An accounts file is a few lines per account; anything this big is the wrong file. */
export const MAX_ACCOUNTS_FILE_BYTES = 1024 * 1024;
export const PROJECT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" });
const text = z.string().trim().min(1, "must not be empty").max(4096, "is longer than 4096 characters");

const accountSchema = z
  .strictObject({
    name: z.string().regex(ACCOUNT_NAME, "must be 1 to 63 letters, digits, or . _ - (starting alphanumeric)"),
    endpoint: httpUrl,
    projects: z
      .array(z.string().regex(PROJECT_ID, "must be a project ID (letters, digits, - and _)"))
      .min(1, "must list at least one project")
      .max(10_000),
    ak: text.optional(),
    sk: text.optional(),
    security_token: z.string().trim().min(1).max(16_384).optional(),
    token: z.string().trim().min(1).max(16_384).optional(),
    iam: z.strictObject({ endpoint: httpUrl, domain: text, username: text, password: text }).optional(),
    app_user_id: text.optional(),
    rate_limit: z.coerce.number().min(0.1).max(10_000).optional(),
  })
  .superRefine((account, ctx) => {
    const ways = [account.ak ?? account.sk, account.token, account.iam].filter((v) => v !== undefined);
    if (ways.length !== 1) {
      ctx.addIssue({
        code: "custom",
        path: ["ak"],
        message: `needs exactly one credential: ak + sk (with an optional security_token), token, or iam; found ${ways.length}`,
      });
    }
    if ((account.ak === undefined) !== (account.sk === undefined)) {
      ctx.addIssue({ code: "custom", path: [account.ak ? "sk" : "ak"], message: "ak and sk go together" });
    }
    if (account.security_token !== undefined && account.ak === undefined) {
      ctx.addIssue({ code: "custom", path: ["security_token"], message: "is only used with ak and sk" });
    }
  });

const fileSchema = z.strictObject({
  accounts: z.array(accountSchema).min(1, "must list at least one account").max(1000),
});

export type AccountEntry = z.infer<typeof accountSchema>;

/**
 * Reads, resolves (`${NAME}`, `<key>_file`) and validates an accounts file. Every error is a
 * ConfigError naming the file, the account and the key; no value from the file is echoed, since
 * any of them may be a secret.
 */
export function readAccountsFile(file: string, env: Env): AccountEntry[] {
  const document = parseDocument(file);
  const describe = describer(file, document);
  const resolved = resolveValues(document, env, describe);
  const parsed = fileSchema.safeParse(resolved);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`${describe(issue.path as Array<string | number>)} ${issue.message}.`);
  }
  assertUnique(parsed.data.accounts, file);
  return parsed.data.accounts;
}

function parseDocument(file: string): unknown {
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
    return loadYaml().parse(source, { maxAliasCount: 100, prettyErrors: false });
  } catch (cause) {
    const where = cause instanceof Error && "linePos" in cause ? lineOf(cause) : "";
    throw new ConfigError(`${file}${where} is not valid YAML or JSON.`);
  }
}

function readBounded(file: string): string {
  const fd = openSync(file, "r");
  try {
    const stat = fstatSync(fd);
    const size = stat.size;
    if (!stat.isFile()) throw new ConfigError(`METASTUDIO_CONFIG names ${file}, which is not a file.`);
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

function lineOf(error: Error): string {
  const pos = (error as Error & { linePos?: Array<{ line: number }> }).linePos;
  return pos?.[0] ? ` (line ${pos[0].line})` : "";
}

/** `file: account "cn-main" (accounts[0]), key iam.password`: where a problem is, never what it holds. */
function describer(file: string, document: unknown): Describe {
  return (path) => {
    if (path[0] !== "accounts" || typeof path[1] !== "number") {
      return path.length === 0 ? `${file}:` : `${file}: ${path.join(".")}`;
    }
    const accounts = (document as { accounts?: unknown[] }).accounts;
    const name = (accounts?.[path[1]] as { name?: unknown } | undefined)?.name;
    const account =
      typeof name === "string" && ACCOUNT_NAME.test(name)
        ? `account "${name}" (accounts[${path[1]}])`
        : `accounts[${path[1]}]`;
    const key = path.slice(2).join(".");
    return key ? `${file}: ${account}, key ${key}` : `${file}: ${account}`;
  };
}

function assertUnique(accounts: AccountEntry[], file: string): void {
  const names = new Set<string>();
  const owner = new Map<string, string>();
  for (const account of accounts) {
    if (names.has(account.name))
      throw new ConfigError(`${file}: account name "${account.name}" is used twice.`);
    names.add(account.name);
    for (const project of account.projects) {
      const other = owner.get(project);
      if (other === account.name) {
        throw new ConfigError(`${file}: account "${other}" lists project ${project} twice.`);
      }
      if (other !== undefined) {
        throw new ConfigError(
          `${file}: project ${project} is listed by account "${other}" and by account "${account.name}"; ` +
            "a project belongs to one account.",
        );
      }
      owner.set(project, account.name);
    }
  }
}

/**
 * The YAML parser, loaded when a file is read: it is 73 modules, about 40 ms of CPU at every
 * start of every command, and most deployments configure no accounts file.
 */
function loadYaml(): typeof Yaml {
  return createRequire(import.meta.url)("yaml") as typeof Yaml;
}

import * as z from "zod";

import { ConfigError } from "./config-error.js";
import { ACCOUNT_NAME, describeAccountsPath, parseAccountsDocument } from "./parse-accounts-document.js";
import { controlCharacterProblem } from "./control-character-problem.js";
import { headerValueProblem } from "./header-value-problem.js";
import { parseDecimal } from "./parse-decimal.js";
import type { Env } from "./read-env.js";
import { resolveValues } from "./resolve-values.js";
import { urlProblem } from "./url-problem.js";

export const PROJECT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * An endpoint: http or https, no `user:password@`, query or fragment, no control character (see
 * urlProblem); trimmed as the variables are, so `${ENDPOINT}` with a trailing line break is the
 * same endpoint.
 */
const httpUrl = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    const problem = urlProblem(value, ["http:", "https:"], { endpoint: true });
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  });
const text = z.string().trim().min(1, "must not be empty").max(4096, "is longer than 4096 characters");
const longText = z.string().trim().min(1, "must not be empty").max(16_384, "is longer than 16384 characters");

/** A value sent as an HTTP header: refused here, not by every request (see headerValueProblem). */
function header<T extends z.ZodType<string>>(schema: T) {
  return schema.superRefine((value, ctx) => {
    const problem = headerValueProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  });
}

/**
 * A secret or IAM value, never a header (SK, IAM domain, user, password): refused with a
 * control character as its environment variable is (see controlCharacterProblem), since nothing
 * later does; it would sign with another key, or be sent to IAM, and fail as a 401.
 */
function credential<T extends z.ZodType<string>>(schema: T) {
  return schema.superRefine((value, ctx) => {
    const problem = controlCharacterProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  });
}

/**
 * A number, or a decimal string: what `rate_limit: ${RATE}` becomes. Not z.coerce, which took
 * `true` for 1 and `[5]` for 5.
 */
const decimal = z.union([z.number(), z.string().transform((text) => parseDecimal(text.trim()) ?? NaN)], {
  error: "must be a number",
});

const accountSchema = z
  .strictObject({
    name: z.string().regex(ACCOUNT_NAME, "must be 1 to 63 letters, digits, or . _ - (starting alphanumeric)"),
    endpoint: httpUrl,
    projects: z
      .array(z.string().regex(PROJECT_ID, "must be a project ID (letters, digits, - and _)"))
      .min(1, "must list at least one project")
      .max(10_000),
    ak: header(text).optional(),
    sk: credential(text).optional(),
    security_token: header(longText).optional(),
    token: header(longText).optional(),
    iam: z
      .strictObject({
        endpoint: httpUrl,
        domain: credential(text),
        username: credential(text),
        password: credential(text),
      })
      .optional(),
    app_user_id: header(text).optional(),
    rate_limit: decimal
      .pipe(
        z.number("must be a number").min(0.1, "must be at least 0.1").max(10_000, "must be at most 10000"),
      )
      .optional(),
  })
  .superRefine((account, ctx) => {
    const ways = [account.ak ?? account.sk, account.token, account.iam].filter((v) => v !== undefined);
    if (ways.length !== 1) {
      // The account's, not one key's: any of the keys given may be the one too many.
      ctx.addIssue({
        code: "custom",
        path: [],
        message: `needs exactly one credential: ak + sk (with an optional security_token), token, or iam; found ${ways.length}`,
      });
    }
    if ((account.ak === undefined) !== (account.sk === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: [account.ak ? "sk" : "ak"],
        message: "is missing: ak and sk go together",
      });
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
  const document = parseAccountsDocument(file);
  const describe = describeAccountsPath(file, document);
  const resolved = resolveValues(document, env, describe);
  const parsed = fileSchema.safeParse(resolved);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`${describe(issue.path as Array<string | number>)} ${issueText(issue)}.`);
  }
  assertUnique(parsed.data.accounts, file);
  return parsed.data.accounts;
}

/** `file: account "cn-main" (accounts[0]), key iam.password`: where a problem is, never what it holds. */
/** What YAML calls the types zod names, for a message about a file the user wrote in YAML. */
const YAML_TYPES: Record<string, string> = {
  array: "a list",
  object: "a mapping (key: value)",
  string: "a string",
  number: "a number",
};

/**
 * The issue in the file's terms: zod's own wording for a wrong type ("Invalid input: expected
 * array, received string") is replaced; the schema's own messages are kept.
 */
function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code !== "invalid_type" || !issue.message.startsWith("Invalid input")) return issue.message;
  return `must be ${YAML_TYPES[issue.expected] ?? issue.expected}`;
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

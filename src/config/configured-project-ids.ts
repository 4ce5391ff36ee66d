import * as z from "zod";

import { PROJECT_ID } from "./accounts-file.js";
import { ConfigError } from "./config-error.js";
import { describeAccountsPath, parseAccountsDocument } from "./parse-accounts-document.js";
import { parseProjectIds } from "./parse-project-ids.js";
import { readEnv, type Env } from "./read-env.js";
import { resolveValues } from "./resolve-values.js";

/**
 * Only the projects of each account; every other key (endpoint, credentials, `<key>_file`) is
 * passed over unread, so none of its `${NAME}`s need be set.
 */
const projectsSchema = z.object({
  accounts: z
    .array(
      z.object({
        projects: z
          .array(z.string().regex(PROJECT_ID, "must be a project ID (letters, digits, - and _)"))
          .min(1, "must list at least one project"),
      }),
    )
    .min(1, "must list at least one account"),
});

/**
 * The configured projects, for a command that reports on them without calling MetaStudio
 * (`status`): METASTUDIO_PROJECT_IDS, or the `projects` of every account in METASTUDIO_CONFIG's
 * file; undefined when neither is set. Endpoints and credentials are not read: the operator's
 * shell may well lack the secrets a worker is given, and a report needs none of them.
 */
export function configuredProjectIds(env: Env): string[] | undefined {
  const file = readEnv(env, "METASTUDIO_CONFIG");
  const listed = readEnv(env, "METASTUDIO_PROJECT_IDS");
  if (file === undefined) {
    return listed === undefined
      ? undefined
      : parseProjectIds(listed, Boolean(env.METASTUDIO_PROJECT_IDS_FILE?.trim()));
  }
  if (listed !== undefined) {
    // As loadAccounts refuses it: two lists of projects, and no telling which one was meant.
    throw new ConfigError(
      "METASTUDIO_CONFIG and METASTUDIO_PROJECT_IDS are both set: with an accounts file, the " +
        "projects come from the file; unset METASTUDIO_PROJECT_IDS.",
    );
  }
  return accountsFileProjects(file, env);
}

/** The `projects` of every account in the accounts file, in file order, each once. */
function accountsFileProjects(file: string, env: Env): string[] {
  const document = parseAccountsDocument(file);
  // Named as the full read names them, so one mistake reads the same from every command.
  const describe = describeAccountsPath(file, document);
  const accounts = (document as { accounts?: unknown } | null)?.accounts;
  // Only `projects` goes through `${NAME}` resolution: the rest may refer to unset secrets.
  const pruned = {
    accounts: Array.isArray(accounts)
      ? accounts.map((account: unknown) => ({
          projects: (account as { projects?: unknown } | null)?.projects,
        }))
      : accounts,
  };
  const parsed = projectsSchema.safeParse(resolveValues(pruned, env, describe));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`${describe(issue.path as Array<string | number>)} ${issue.message}.`);
  }
  return [...new Set(parsed.data.accounts.flatMap((account) => account.projects))];
}

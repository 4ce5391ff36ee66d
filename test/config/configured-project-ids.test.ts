import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { ConfigError } from "../../src/config/config-error.js";
import { configuredProjectIds } from "../../src/config/configured-project-ids.js";

const dir = mkdtempSync(join(tmpdir(), "msync-project-ids-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function accountsFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Credentials that cannot be resolved here: unset `${NAME}`s and a `<key>_file` that is missing. */
const ACCOUNTS = `
accounts:
  - name: cn
    endpoint: https://metastudio.cn-north-4.myhuaweicloud.com
    ak: \${CN_AK}
    sk: \${CN_SK}
    projects: [p-cn-1, "\${EXTRA_PROJECT}"]
  - name: sg
    endpoint: \${SG_ENDPOINT}
    token_file: ${join(dir, "missing-token")}
    projects: [p-sg-1, p-cn-1]
`;

function refusal(env: Record<string, string>): string {
  try {
    configuredProjectIds(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("configuredProjectIds (what status reports on)", () => {
  it("reads METASTUDIO_PROJECT_IDS alone: no endpoint, no credential", () => {
    expect(configuredProjectIds({ METASTUDIO_PROJECT_IDS: "p1, p2" })).toEqual(["p1", "p2"]);
    expect(configuredProjectIds({})).toBeUndefined();
    expect(refusal({ METASTUDIO_PROJECT_IDS: "p1,,p2" })).toMatch(
      /METASTUDIO_PROJECT_IDS has an empty entry/,
    );
  });

  it("reads an accounts file's projects without resolving its credentials", () => {
    const file = accountsFile("accounts.yaml", ACCOUNTS);
    expect(configuredProjectIds({ METASTUDIO_CONFIG: file, EXTRA_PROJECT: "p-cn-2" })).toEqual([
      "p-cn-1",
      "p-cn-2",
      "p-sg-1",
    ]);
    // A project given as ${NAME} still needs NAME, and says so as the full read does.
    expect(refusal({ METASTUDIO_CONFIG: file })).toMatch(
      /accounts\.yaml: account "cn" \(accounts\[0\]\), key projects\.1 refers to \$\{EXTRA_PROJECT\}, which is not set/,
    );
  });

  it("refuses a file whose projects are not project IDs, or that is not an accounts file", () => {
    const bad = accountsFile("bad.yaml", "accounts:\n  - name: a\n    projects: [p1, 'p 2']\n");
    expect(refusal({ METASTUDIO_CONFIG: bad })).toMatch(
      /bad\.yaml: account "a" \(accounts\[0\]\), key projects\.1 must be a project ID/,
    );
    const none = accountsFile("none.yaml", "accounts: []\n");
    expect(refusal({ METASTUDIO_CONFIG: none })).toMatch(
      /none\.yaml: accounts must list at least one account/,
    );
    const yaml = accountsFile("broken.yaml", "accounts: [\n");
    expect(refusal({ METASTUDIO_CONFIG: yaml })).toMatch(/broken\.yaml is not valid YAML or JSON/);
    expect(refusal({ METASTUDIO_CONFIG: join(dir, "absent.yaml") })).toMatch(
      /METASTUDIO_CONFIG names .*absent\.yaml, which cannot be read \(ENOENT\)/,
    );
  });

  it("refuses METASTUDIO_PROJECT_IDS beside an accounts file, as the full read does", () => {
    const file = accountsFile("both.yaml", ACCOUNTS);
    expect(refusal({ METASTUDIO_CONFIG: file, METASTUDIO_PROJECT_IDS: "p1" })).toMatch(
      /METASTUDIO_CONFIG and METASTUDIO_PROJECT_IDS are both set/,
    );
  });
});

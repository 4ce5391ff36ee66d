import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { loadConfig } from "../../src/config/config.js";
import { configRefusal } from "../support/config-refusal.js";

const dir = mkdtempSync(join(tmpdir(), "msync-control-"));
let files = 0;

function write(contents: string): string {
  const path = join(dir, `file-${(files += 1)}`);
  writeFileSync(path, contents);
  return path;
}

/** An account whose credential lines are `credential`; YAML double quotes turn `\\n` into a line break. */
function accountsFile(credential: string): string {
  return write(`accounts:\n  - name: acc\n    endpoint: http://x\n    projects: [p1]\n${credential}`);
}

const iam = (fields: Partial<Record<"endpoint" | "domain" | "username" | "password", string>>) => {
  const all = {
    endpoint: '"https://iam.example.com"',
    domain: "d",
    username: "u",
    password: "pw",
    ...fields,
  };
  return `    iam: { endpoint: ${all.endpoint}, domain: ${all.domain}, username: ${all.username}, password: ${all.password} }\n`;
};

describe("the accounts file's credentials with a control character", () => {
  // Before, each loaded: the SK signed with another key (a 401, or with a trailing NUL the same
  // signature), IAM was sent the user or password (its 401), and the URL parser dropped a line
  // break inside the IAM endpoint.
  it.each([
    ["sk", "a line break (YAML escape)", '    ak: a\n    sk: "SECRET\\nsk"\n', {}],
    ["sk", "a trailing NUL", '    ak: a\n    sk: "SECRET-sk\\0"\n', {}],
    ["sk", "a trailing DEL", '    ak: a\n    sk: "SECRET-sk\\x7f"\n', {}],
    ["sk", "a CR from ${SK}", '    ak: a\n    sk: "${SK}"\n', { SK: "SECRET\rsk" }],
    ["sk", "a CRLF inside sk_file", `    ak: a\n    sk_file: ${write("SECRET\r\nsk\n")}\n`, {}],
    ["iam.password", "a NUL", iam({ password: '"SECRET\\0pw"' }), {}],
    ["iam.password", "a DEL from ${PW}", iam({ password: '"${PW}"' }), { PW: "SECRET\u007fpw" }],
    [
      "iam.password",
      "a line break inside password_file",
      `    iam:\n      endpoint: https://iam.example.com\n      domain: d\n      username: u\n      password_file: ${write("SECRET\npw\n")}\n`,
      {},
    ],
    ["iam.username", "a line break", iam({ username: '"SECRET\\nuser"' }), {}],
    ["iam.domain", "a DEL", iam({ domain: '"SECRET\\x7fdomain"' }), {}],
    ["iam.endpoint", "a line break", iam({ endpoint: '"https://iam.SECRET\\n.example.com"' }), {}],
    ["iam.endpoint", "a tab", iam({ endpoint: '"https://iam.SECRET\\t.example.com"' }), {}],
  ])(
    "refuse %s with %s at load time, naming the account and the key, not the value",
    (key, _what, credential, env) => {
      const message = configRefusal({ METASTUDIO_CONFIG: accountsFile(credential), ...env });
      expect(message).toMatch(
        new RegExp(`: account "acc" \\(accounts\\[0\\]\\), key ${key} contains a control character`),
      );
      expect(message).not.toContain("SECRET");
    },
  );

  it("take one only trimmed away at the ends, as the environment variables do", () => {
    const aksk = loadConfig({
      METASTUDIO_CONFIG: accountsFile(`    ak: a\n    sk_file: ${write("sk-secret\n")}\n`),
    });
    expect(aksk.accounts[0]!.auth).toEqual({ kind: "aksk", accessKey: "a", secretKey: "sk-secret" });
    const password = loadConfig({
      METASTUDIO_CONFIG: accountsFile(
        iam({ endpoint: '"https://iam.example.com/\\n"', password: '"pw\\r\\n"' }),
      ),
    });
    expect(password.accounts[0]!.auth).toMatchObject({
      iamEndpoint: "https://iam.example.com",
      password: "pw",
    });
  });

  it("refuse them in ak and project IDs too, as in their variables", () => {
    expect(configRefusal({ METASTUDIO_CONFIG: accountsFile('    ak: "SECRET\\0"\n    sk: s\n') })).toMatch(
      /key ak contains a control character/,
    );
    const project = `accounts:\n  - { name: acc, endpoint: "http://x", token: t, projects: ["p\\n1"] }\n`;
    expect(configRefusal({ METASTUDIO_CONFIG: write(project) })).toMatch(
      /key projects\.0 must be a project ID/,
    );
  });
});

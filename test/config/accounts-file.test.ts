import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { ConfigError } from "../../src/config/config-error.js";
import { loadConfig, type Config } from "../../src/config/config.js";

const dir = mkdtempSync(join(tmpdir(), "msync-accounts-"));
let files = 0;

function file(contents: string, name = `accounts-${(files += 1)}.yaml`): string {
  const path = join(dir, name);
  writeFileSync(path, contents);
  return path;
}

const TWO_ACCOUNTS = `
accounts:
  - name: cn-main
    endpoint: https://metastudio.cn-north-4.myhuaweicloud.com/
    ak: \${CN_AK}
    sk: \${CN_SK}
    security_token: \${CN_ST}
    rate_limit: 5
    projects: [p-cn-1, p-cn-2]
  - name: sg
    endpoint: https://metastudio.ap-southeast-1.myhuaweicloud.com
    token_file: ${join(dir, "sg_token")}
    app_user_id: me
    projects: [p-sg]
  - name: iam-user
    endpoint: https://metastudio.cn-east-3.myhuaweicloud.com
    iam: { endpoint: "https://iam.myhuaweicloud.com", domain: d, username: u, password: "\${IAM_PW}" }
    projects: [p-iam]
`;
const SECRETS = { CN_AK: "AK1", CN_SK: "sk-secret-1", CN_ST: "st-1", IAM_PW: "pw-secret" };

function load(contents: string, env: Record<string, string> = SECRETS): Config {
  return loadConfig({ METASTUDIO_CONFIG: file(contents), ...env });
}

function errorOf(contents: string, env: Record<string, string> = SECRETS): string {
  try {
    load(contents, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("METASTUDIO_CONFIG", () => {
  writeFileSync(join(dir, "sg_token"), "sg-token-secret\n");

  it("reads every account with its credential, from the environment and from files", () => {
    const { accounts } = load(TWO_ACCOUNTS);
    expect(accounts.map((a) => [a.name, a.endpoint, a.projectIds, a.rateLimitPerSecond])).toEqual([
      ["cn-main", "https://metastudio.cn-north-4.myhuaweicloud.com", ["p-cn-1", "p-cn-2"], 5],
      ["sg", "https://metastudio.ap-southeast-1.myhuaweicloud.com", ["p-sg"], 8],
      ["iam-user", "https://metastudio.cn-east-3.myhuaweicloud.com", ["p-iam"], 8],
    ]);
    expect(accounts[0]!.auth).toEqual({
      kind: "aksk",
      accessKey: "AK1",
      secretKey: "sk-secret-1",
      securityToken: "st-1",
    });
    expect(accounts[1]!.auth).toEqual({ kind: "token", token: "sg-token-secret" });
    expect(accounts[1]!.appUserId).toBe("me");
    expect(accounts[2]!.auth).toMatchObject({ kind: "iam-password", domain: "d", password: "pw-secret" });
  });

  it("reads the same accounts from JSON", () => {
    const json = JSON.stringify({
      accounts: [{ name: "a", endpoint: "http://127.0.0.1:1", token: "${T}", projects: ["p1"] }],
    });
    expect(loadConfig({ METASTUDIO_CONFIG: file(json, "a.json"), T: "t" }).accounts[0]!.auth).toEqual({
      kind: "token",
      token: "t",
    });
  });

  it("names an unset variable, the file, the account and the key", () => {
    const message = errorOf(TWO_ACCOUNTS, { ...SECRETS, CN_SK: "" });
    expect(message).toMatch(
      /accounts-\d+\.yaml: account "cn-main" \(accounts\[0\]\), key sk refers to \$\{CN_SK\}, which is not set/,
    );
    const iam = errorOf(TWO_ACCOUNTS, { CN_AK: "a", CN_SK: "b", CN_ST: "c" });
    expect(iam).toMatch(/account "iam-user".*key iam\.password.*\$\{IAM_PW\}/);
  });

  it("names the account and key of every validation error, never echoing a value", () => {
    const one = (body: string) => errorOf(`accounts:\n  - name: acc\n${body}`);
    expect(one(`    endpoint: ftp://x\n    token: t\n    projects: [p]`)).toMatch(
      /account "acc" \(accounts\[0\]\), key endpoint must start with http:\/\/ or https:\/\//,
    );
    expect(one(`    endpoint: http://x\n    projects: [p]`)).toMatch(/account "acc".*exactly one credential/);
    expect(one(`    endpoint: http://x\n    token: t\n    ak: hunter2\n    projects: [p]`)).toMatch(
      /exactly one credential.*found 2/,
    );
    expect(one(`    endpoint: http://x\n    ak: a\n    projects: [p]`)).toMatch(
      /account "acc" \(accounts\[0\]\), key sk is missing: ak and sk go together\.$/,
    );
    // Two credentials are the account's fault, not the first key's.
    expect(one(`    endpoint: http://x\n    token: t\n    ak: a\n    sk: b\n    projects: [p]`)).toMatch(
      /account "acc" \(accounts\[0\]\) needs exactly one credential/,
    );
    // In the file's terms, not zod's.
    expect(one(`    endpoint: http://x\n    token: t\n    projects: p`)).toMatch(
      /account "acc" \(accounts\[0\]\), key projects must be a list\.$/,
    );
    expect(one(`    endpoint: http://x\n    token: t\n    projects: ["bad id"]`)).toMatch(
      /key projects\.0 must be a project ID/,
    );
    expect(one(`    endpoint: http://x\n    token: t\n    projects: [p]\n    colour: blue`)).toMatch(
      /account "acc"/,
    );
    const secret = one(`    endpoint: http://x\n    token: hunter2\n    ak: also-secret\n    projects: [p]`);
    expect(secret).not.toMatch(/hunter2|also-secret/);
    expect(errorOf(`accounts: []`)).toMatch(/accounts must list at least one account/);
    expect(errorOf(`accounts: [unclosed`)).toMatch(/is not valid YAML or JSON/);
  });

  it("refuses duplicate account names and a project in two accounts", () => {
    const twice = `accounts:
  - { name: a, endpoint: "http://x", token: t, projects: [p1] }
  - { name: a, endpoint: "http://y", token: t, projects: [p2] }`;
    expect(errorOf(twice)).toMatch(/account name "a" is used twice/);
    const shared = `accounts:
  - { name: a, endpoint: "http://x", token: t, projects: [p1] }
  - { name: b, endpoint: "http://y", token: t, projects: [p1] }`;
    expect(errorOf(shared)).toMatch(/project p1 is listed by account "a" and by account "b"/);
  });

  it("refuses a secret given both inline and as a file, and an unreadable secret file", () => {
    expect(
      errorOf(`accounts:\n  - { name: a, endpoint: "http://x", token: t, token_file: /x, projects: [p] }`),
    ).toMatch(/account "a".*key token: give token or token_file, not both/);
    expect(
      errorOf(
        `accounts:\n  - { name: a, endpoint: "http://x", token_file: ${join(dir, "missing")}, projects: [p] }`,
      ),
    ).toMatch(/account "a".*key token_file names .*missing.*ENOENT/);
    // What the CLI prints under "caused by" names no variable the user never set.
    let error: unknown;
    try {
      load(
        `accounts:\n  - { name: a, endpoint: "http://x", token_file: ${join(dir, "missing")}, projects: [p] }`,
      );
    } catch (caught) {
      error = caught;
    }
    const chain: string[] = [];
    for (let at = error; at instanceof Error; at = at.cause) chain.push(at.message);
    expect(chain.length).toBeGreaterThan(0);
    expect(chain.join("\n")).not.toContain("SECRET_FILE");
  });

  it("refuses the single-account variables beside it, naming both", () => {
    const path = file(TWO_ACCOUNTS);
    expect(() =>
      loadConfig({ METASTUDIO_CONFIG: path, ...SECRETS, METASTUDIO_ENDPOINT: "http://x" }),
    ).toThrow(/METASTUDIO_CONFIG and METASTUDIO_ENDPOINT are both set/);
    expect(() =>
      loadConfig({ METASTUDIO_CONFIG: path, ...SECRETS, HUAWEICLOUD_SDK_SK_FILE: file("an-sk\n") }),
    ).toThrow(/METASTUDIO_CONFIG and HUAWEICLOUD_SDK_SK_FILE are both set/);
  });

  it("takes an empty secret file beside it as unset, as Compose mounts one per possible secret", () => {
    const config = loadConfig({
      METASTUDIO_CONFIG: file(TWO_ACCOUNTS),
      ...SECRETS,
      HUAWEICLOUD_SDK_SK_FILE: file(""),
    });
    expect(config.accounts.map((a) => a.name)).toEqual(["cn-main", "sg", "iam-user"]);
  });

  it("bounds the file's size and names a file that is missing", () => {
    const big = file(`# ${"x".repeat(1024 * 1024 + 10)}\n`);
    expect(() => loadConfig({ METASTUDIO_CONFIG: big })).toThrow(/at most 1 MiB/);
    expect(() => loadConfig({ METASTUDIO_CONFIG: join(dir, "nope.yaml") })).toThrow(
      /METASTUDIO_CONFIG names .*nope\.yaml, which cannot be read \(ENOENT\)/,
    );
  });
});

describe("METASTUDIO_CONFIG's ${NAME} expansion", () => {
  it("refuses a value that would grow past 64 KiB, naming the key and the variable", () => {
    const message = errorOf(
      `accounts:\n  - { name: a, endpoint: "http://x", token: "\${X}\${X}", projects: [p] }`,
      { X: "x".repeat(40_000) },
    );
    expect(message).toMatch(/account "a" \(accounts\[0\]\), key token: with \$\{X\} it is longer than 65536/);
    expect(message).not.toContain("xxxx");
  });

  it("refuses references that add up past 32 MiB in all, before building them", () => {
    // The audit's case: 6000 references to a 100 KB variable took 700 MB and died on string length.
    const many = Array.from({ length: 6000 }, () => `"\${X}"`).join(", ");
    const before = process.memoryUsage().rss;
    const message = errorOf(
      `accounts:\n  - { name: a, endpoint: "http://x", token: t, projects: [p], notes: [${many}] }`,
      { X: "x".repeat(60_000) },
    );
    expect(message).toMatch(/account "a" \(accounts\[0\]\), key notes\.\d+: with \$\{X\}, the file's/);
    expect(message).toMatch(/more than 33554432 characters in all/);
    expect(process.memoryUsage().rss - before).toBeLessThan(300 * 1024 * 1024);
  });

  it("still takes a long token from the environment", () => {
    const token = "t".repeat(16_000);
    const config = load(`accounts:\n  - { name: a, endpoint: "http://x", token: "\${T}", projects: [p] }`, {
      T: token,
    });
    expect(config.accounts[0]!.auth).toEqual({ kind: "token", token });
  });
});

describe("METASTUDIO_CONFIG's YAML errors", () => {
  it("say the parser's code and the line, never a value", () => {
    const duplicate = errorOf(
      `accounts:\n  - name: a\n    endpoint: http://x\n    token: hunter2\n    token: hunter3\n    projects: [p]\n`,
    );
    expect(duplicate).toMatch(/accounts-\d+\.yaml is not valid YAML or JSON \(DUPLICATE_KEY at line 5\)\.$/);
    expect(duplicate).not.toMatch(/hunter/);
    expect(errorOf(`accounts:\n  - name: a\n    token: "hunter2\n`)).toMatch(
      /is not valid YAML or JSON \([A-Z_]+ at line [34]\)\.$/,
    );
    expect(errorOf(`accounts: *nope\n`)).toMatch(/is not valid YAML or JSON \(an alias: /);
  });
});

describe("rate_limit", () => {
  const withRate = (rate: string) =>
    `accounts:\n  - { name: a, endpoint: "http://x", token: t, projects: [p], rate_limit: ${rate} }`;

  it("takes a number, or a decimal string as `${NAME}` gives", () => {
    expect(load(withRate("2.5")).accounts[0]!.rateLimitPerSecond).toBe(2.5);
    expect(load(withRate('"12"')).accounts[0]!.rateLimitPerSecond).toBe(12);
    expect(load(withRate('"${RATE}"'), { RATE: "20" }).accounts[0]!.rateLimitPerSecond).toBe(20);
  });

  it.each(["true", "[5]", "{ n: 5 }", '"0x10"', '"1e3"', '"fast"', "null"])(
    "refuses %s, naming the key",
    (rate) => {
      expect(errorOf(withRate(rate))).toMatch(
        /account "a" \(accounts\[0\]\), key rate_limit must be a number\.$/,
      );
    },
  );

  it("refuses one out of range, naming the key", () => {
    expect(errorOf(withRate("0"))).toMatch(/key rate_limit must be at least 0\.1\.$/);
    expect(errorOf(withRate("20000"))).toMatch(/key rate_limit must be at most 10000\.$/);
  });
});

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { loadConfig } from "../../src/config/config.js";
import { configRefusal } from "../support/config-refusal.js";

const dir = mkdtempSync(join(tmpdir(), "msync-url-control-"));
let files = 0;

function write(contents: string): string {
  const path = join(dir, `file-${(files += 1)}`);
  writeFileSync(path, contents);
  return path;
}

const SINGLE = {
  METASTUDIO_ENDPOINT: "https://metastudio.example.com",
  METASTUDIO_PROJECT_IDS: "p1",
  METASTUDIO_AUTH_TOKEN: "token-value",
};
const IAM = {
  METASTUDIO_ENDPOINT: "https://metastudio.example.com",
  METASTUDIO_PROJECT_IDS: "p1",
  HUAWEICLOUD_IAM_ENDPOINT: "https://iam.example.com",
  HUAWEICLOUD_IAM_DOMAIN: "d",
  HUAWEICLOUD_IAM_USERNAME: "u",
  HUAWEICLOUD_IAM_PASSWORD: "pw",
};

/** One token account with this `endpoint` line (YAML double quotes turn `\\n` into a line break). */
function accountsFile(endpoint: string): string {
  return write(`accounts:\n  - name: acc\n    endpoint: ${endpoint}\n    token: t\n    projects: [p1]\n`);
}

describe("a URL setting with a control character inside", () => {
  // Before, each loaded: the URL parser drops a line break or tab when the request is made, but
  // the raw string was the account's endpoint, stored in sync_projects and keyed its limiter.
  it.each([
    ["METASTUDIO_ENDPOINT", { ...SINGLE, METASTUDIO_ENDPOINT: "https://metastudio.SECRET\n.example.com" }],
    ["METASTUDIO_ENDPOINT", { ...SINGLE, METASTUDIO_ENDPOINT: "https://metastudio.example.com/\tSECRET" }],
    [
      "METASTUDIO_ENDPOINT",
      {
        ...SINGLE,
        METASTUDIO_ENDPOINT: "",
        METASTUDIO_ENDPOINT_FILE: write("https://SECRET\r\n.example.com\n"),
      },
    ],
    ["HUAWEICLOUD_IAM_ENDPOINT", { ...IAM, HUAWEICLOUD_IAM_ENDPOINT: "https://iam.SECRET\n.example.com" }],
    ["REDIS_URL", { ...SINGLE, REDIS_URL: "redis://:SECRET\n@127.0.0.1:6380/0" }],
    ["REDIS_URL", { ...SINGLE, REDIS_URL: "rediss://:pw@127.0.0.1:6380/\t0" }],
    ["DATABASE_URL", { ...SINGLE, DATABASE_URL: "postgres://postgres:SECRET\t@127.0.0.1:5433/postgres" }],
    ["DATABASE_URL", { ...SINGLE, DATABASE_URL: "postgres://postgres@127.0.0.1:5433/post\ngres" }],
  ])("refuses %s at load time, naming it, not the value", (name, env) => {
    const message = configRefusal(env);
    expect(message).toBe(`${name} contains a control character (a line break?); it cannot be sent.`);
    expect(message).not.toContain("SECRET");
  });

  it.each([
    ["a line break (YAML escape)", '"https://metastudio.SECRET\\n.example.com"', {}],
    ["a tab (YAML escape)", '"https://metastudio.example.com/\\tSECRET"', {}],
    ["a CR from ${EP}", '"${EP}"', { EP: "https://user-SECRET\r.example.com" }],
  ])("refuses an accounts file's endpoint with %s, naming the account and key", (_what, endpoint, env) => {
    const message = configRefusal({ METASTUDIO_CONFIG: accountsFile(endpoint), ...env });
    expect(message).toMatch(
      /: account "acc" \(accounts\[0\]\), key endpoint contains a control character \(a line break\?\)/,
    );
    expect(message).not.toContain("SECRET");
  });

  it("takes one only at the ends, trimmed, in the file as in the variables", () => {
    const file = loadConfig({
      METASTUDIO_CONFIG: accountsFile('"${EP}"'),
      EP: "\thttps://m.example.com/\r\n",
    });
    expect(file.accounts[0]!.endpoint).toBe("https://m.example.com");
    const escaped = loadConfig({ METASTUDIO_CONFIG: accountsFile('"https://m.example.com\\n"') });
    expect(escaped.accounts[0]!.endpoint).toBe("https://m.example.com");
    const env = loadConfig({
      ...IAM,
      METASTUDIO_ENDPOINT: "https://m.example.com/\n",
      HUAWEICLOUD_IAM_ENDPOINT: "\thttps://iam.example.com\n",
      REDIS_URL: "redis://127.0.0.1:6380/0\n",
      DATABASE_URL: "postgres://postgres@127.0.0.1:5433/postgres\r\n",
    });
    expect(env.accounts[0]!.endpoint).toBe("https://m.example.com");
    expect(env.accounts[0]!.auth).toMatchObject({ iamEndpoint: "https://iam.example.com" });
    expect(env.redisUrl).toBe("redis://127.0.0.1:6380/0");
    expect(env.databaseUrl).toBe("postgres://postgres@127.0.0.1:5433/postgres");
  });
});

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { loadConfig } from "../../src/config/config.js";
import { configRefusal } from "../support/config-refusal.js";

const BASE = {
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
const dir = mkdtempSync(join(tmpdir(), "msync-urls-"));
let files = 0;

function accountsFile(account: string): string {
  const path = join(dir, `accounts-${(files += 1)}.yaml`);
  writeFileSync(path, `accounts:\n  - name: acc\n    projects: [p1]\n${account}`);
  return path;
}

describe("credentials inside an endpoint URL", () => {
  it("are refused in METASTUDIO_ENDPOINT and HUAWEICLOUD_IAM_ENDPOINT, the value never echoed", () => {
    const endpoint = configRefusal({
      ...BASE,
      METASTUDIO_ENDPOINT: "http://EPW-USER:EPW-SECRET@127.0.0.1:18082",
    });
    expect(endpoint).toMatch(/^METASTUDIO_ENDPOINT must not contain a user name or password/);
    expect(endpoint).not.toMatch(/EPW-SECRET|EPW-USER/);
    expect(configRefusal({ ...BASE, METASTUDIO_ENDPOINT: "http://user@127.0.0.1:18082" })).toMatch(
      /^METASTUDIO_ENDPOINT must not contain a user name or password/,
    );
    const iam = configRefusal({ ...IAM, HUAWEICLOUD_IAM_ENDPOINT: "https://u:IAM-SECRET@iam.example.com" });
    expect(iam).toMatch(/^HUAWEICLOUD_IAM_ENDPOINT must not contain a user name or password/);
    expect(iam).not.toContain("IAM-SECRET");
    expect(loadConfig(IAM).accounts[0]!.auth).toMatchObject({ iamEndpoint: "https://iam.example.com" });
  });

  it("are refused in an accounts file's endpoint and iam endpoint, naming the key", () => {
    const endpoint = configRefusal({
      METASTUDIO_CONFIG: accountsFile("    endpoint: http://user:EPW-SECRET@127.0.0.1:18082\n    token: t\n"),
    });
    expect(endpoint).toMatch(/account "acc" \(accounts\[0\]\), key endpoint must not contain a user name/);
    expect(endpoint).not.toContain("EPW-SECRET");
    const iam = configRefusal({
      METASTUDIO_CONFIG: accountsFile(
        "    endpoint: http://127.0.0.1:1\n" +
          "    iam: { endpoint: 'https://u:IAM-SECRET@iam.example.com', domain: d, username: u, password: p }\n",
      ),
    });
    expect(iam).toMatch(/account "acc" \(accounts\[0\]\), key iam\.endpoint must not contain a user name/);
    expect(iam).not.toContain("IAM-SECRET");
  });

  it("with a raw `#` in the password, are refused for the `@` after the host, not stored", () => {
    // Parsed, this is host `user`, port 99 and the fragment `EPW-SECRET@...`: no password seen.
    const raw = "http://user:99#EPW-SECRET@127.0.0.1:18082";
    const endpoint = configRefusal({ ...BASE, METASTUDIO_ENDPOINT: raw });
    expect(endpoint).toMatch(/^METASTUDIO_ENDPOINT has an `@` after its host/);
    expect(endpoint).not.toContain("EPW-SECRET");
    const file = configRefusal({ METASTUDIO_CONFIG: accountsFile(`    endpoint: "${raw}"\n    token: t\n`) });
    expect(file).toMatch(/key endpoint has an `@` after its host/);
    expect(file).not.toContain("EPW-SECRET");
  });
});

describe("REDIS_URL", () => {
  it("keeps its credentials, but refuses an `@` after the host, the value never echoed", () => {
    expect(loadConfig({ ...BASE, REDIS_URL: "redis://:pa%23ss@127.0.0.1:6379/0" }).redisUrl).toBe(
      "redis://:pa%23ss@127.0.0.1:6379/0",
    );
    for (const url of ["redis://u:99#R-SECRET@127.0.0.1:6379", "redis://:R/SECRET@127.0.0.1:6379/0"]) {
      const message = configRefusal({ ...BASE, REDIS_URL: url });
      expect(message).toMatch(/^REDIS_URL has an `@` after its host .* percent-encode/);
      expect(message).not.toContain("SECRET");
    }
  });
});

describe("a query or fragment in an endpoint URL", () => {
  // Each request appends its path and query to the endpoint: the query swallowed the path.
  it("is refused in the variables and the accounts file, naming where; REDIS_URL keeps its query", () => {
    for (const endpoint of [
      "https://metastudio.example.com/?region=cn",
      "https://metastudio.example.com#x",
      "https://h/?",
    ]) {
      expect(configRefusal({ ...BASE, METASTUDIO_ENDPOINT: endpoint })).toMatch(
        /^METASTUDIO_ENDPOINT must not contain a query or fragment/,
      );
    }
    expect(configRefusal({ ...IAM, HUAWEICLOUD_IAM_ENDPOINT: "https://iam.example.com/v3?x=1" })).toMatch(
      /^HUAWEICLOUD_IAM_ENDPOINT must not contain a query or fragment/,
    );
    expect(
      configRefusal({
        METASTUDIO_CONFIG: accountsFile("    endpoint: 'http://127.0.0.1:1/?a=b'\n    token: t\n"),
      }),
    ).toMatch(/account "acc" \(accounts\[0\]\), key endpoint must not contain a query or fragment/);
    expect(loadConfig({ ...BASE, REDIS_URL: "redis://127.0.0.1:6379/0?family=6" }).redisUrl).toBe(
      "redis://127.0.0.1:6379/0?family=6",
    );
  });
});

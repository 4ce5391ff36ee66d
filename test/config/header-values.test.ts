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
const AKSK = { ...BASE, METASTUDIO_AUTH_TOKEN: "", HUAWEICLOUD_SDK_AK: "AK1", HUAWEICLOUD_SDK_SK: "sk" };
const dir = mkdtempSync(join(tmpdir(), "msync-headers-"));
let files = 0;

function accountsFile(credential: string): string {
  const path = join(dir, `accounts-${(files += 1)}.yaml`);
  writeFileSync(path, `accounts:\n  - name: acc\n    endpoint: http://x\n    projects: [p1]\n${credential}`);
  return path;
}

describe("values sent as HTTP headers", () => {
  it.each([
    ["METASTUDIO_APP_USER_ID", "用户1", BASE, /has a character \(at position 1\) that an HTTP header cannot/],
    ["METASTUDIO_AUTH_TOKEN", "SECRET\u0001x", BASE, /contains a control character/],
    ["METASTUDIO_AUTH_TOKEN", "SECRET\nx", BASE, /contains a control character/],
    ["METASTUDIO_AUTH_TOKEN", "SECRETé", BASE, /has a character \(at position 7\)/],
    ["HUAWEICLOUD_SDK_SECURITY_TOKEN", "SECRET\u0001x", AKSK, /contains a control character/],
    ["HUAWEICLOUD_SDK_SECURITY_TOKEN", "SECRET€", AKSK, /has a character/],
    ["HUAWEICLOUD_SDK_AK", "SECRET™", AKSK, /has a character/],
  ])("refuse %s with %j at start-up, naming it, not the value", (name, value, env, problem) => {
    const message = configRefusal({ ...env, [name]: value });
    expect(message.startsWith(`${name} `)).toBe(true);
    expect(message).toMatch(problem);
    expect(message).not.toContain("SECRET");
    expect(message).not.toContain(value);
  });

  it("accept printable ASCII, spaces inside included", () => {
    const config = loadConfig({
      ...AKSK,
      HUAWEICLOUD_SDK_SECURITY_TOKEN: "a+b/c=",
      METASTUDIO_APP_USER_ID: "ops bot",
    });
    expect(config.accounts[0]!.appUserId).toBe("ops bot");
    expect(config.accounts[0]!.auth).toMatchObject({ securityToken: "a+b/c=" });
  });

  it.each([
    ["token", '    token: "SECRET\\u0001x"\n'],
    ["token", '    token: "SECRET\\nx"\n'],
    ["security_token", '    ak: a\n    sk: s\n    security_token: "SECRET\\u00e9"\n'],
    ["ak", '    ak: "SECRET€"\n    sk: s\n'],
    ["app_user_id", "    token: t\n    app_user_id: 用户1\n"],
  ])("refuse the accounts file's %s, naming the key, not the value", (key, credential) => {
    const message = configRefusal({ METASTUDIO_CONFIG: accountsFile(credential) });
    expect(message).toMatch(new RegExp(`account "acc" \\(accounts\\[0\\]\\), key ${key} `));
    expect(message).toMatch(/control character|HTTP header cannot carry/);
    expect(message).not.toMatch(/SECRET|用户/);
  });
});

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";

import { afterEach, describe, expect, it } from "vitest";

import { loadConfig } from "../../src/config/config.js";
import { createLogger } from "../../src/logger.js";
import { AccountClients } from "../../src/metastudio/account-clients.js";

const PROJECT = "0123456789abcdef0123456789abcdef";
const PASSWORD = "pw-plain-http-secret";
const dir = mkdtempSync(join(tmpdir(), "msync-iam-http-"));

let clients: AccountClients | undefined;
afterEach(async () => {
  await clients?.close();
  clients = undefined;
});

/** The warnings logged while the clients of the accounts `env` configures are created. */
function warnings(env: Record<string, string>): string[] {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  clients = new AccountClients({ accounts: loadConfig(env).accounts, logger: createLogger("info", sink) });
  return lines
    .map((line) => JSON.parse(line) as { level: number | string; msg: string })
    .filter((line) => line.level === 40 || line.level === "warn")
    .map((line) => line.msg);
}

describe("an IAM endpoint on plain http://", () => {
  it("is named as the accounts file's account and key for an account from METASTUDIO_CONFIG", () => {
    const file = join(dir, "accounts.yaml");
    writeFileSync(
      file,
      `accounts:\n  - name: cn\n    endpoint: https://metastudio.example.com\n    projects: [${PROJECT}]\n` +
        `    iam: { endpoint: "http://iam.example.com", domain: acme, username: bot, password: ${PASSWORD} }\n`,
    );
    const logged = warnings({ METASTUDIO_CONFIG: file });
    // Before, it named HUAWEICLOUD_IAM_ENDPOINT, which METASTUDIO_CONFIG forbids setting.
    expect(logged).toEqual([
      `account "cn" in ${file}: iam.endpoint is plain http://: the IAM password travels unencrypted; use https://`,
    ]);
    expect(logged.join("")).not.toContain(PASSWORD);
  });

  it("is named as HUAWEICLOUD_IAM_ENDPOINT for the account of the environment", () => {
    const logged = warnings({
      METASTUDIO_ENDPOINT: "https://metastudio.example.com",
      METASTUDIO_PROJECT_IDS: PROJECT,
      HUAWEICLOUD_IAM_ENDPOINT: "http://iam.example.com",
      HUAWEICLOUD_IAM_DOMAIN: "acme",
      HUAWEICLOUD_IAM_USERNAME: "bot",
      HUAWEICLOUD_IAM_PASSWORD: PASSWORD,
    });
    expect(logged).toEqual([
      "HUAWEICLOUD_IAM_ENDPOINT is plain http://: the IAM password travels unencrypted; use https://",
    ]);
    expect(logged.join("")).not.toContain(PASSWORD);
  });
});

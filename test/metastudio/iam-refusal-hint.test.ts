import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";

import { afterEach, describe, expect, it } from "vitest";

import { loadConfig } from "../../src/config/config.js";
import { createLogger } from "../../src/logger.js";
import { AccountClients } from "../../src/metastudio/account-clients.js";
import { MetaStudioError } from "../../src/metastudio/metastudio-error.js";
import { startSimulator, type Simulator } from "../../src/simulator/simulator.js";

const PROJECT = "0123456789abcdef0123456789abcdef";
const dir = mkdtempSync(join(tmpdir(), "msync-iam-hint-"));
const ENV_NAMES = /HUAWEICLOUD_IAM_/;

let sim: Simulator | undefined;
let clients: AccountClients | undefined;
afterEach(async () => {
  await clients?.close();
  await sim?.close();
  clients = undefined;
  sim = undefined;
});

/** The error of one page for PROJECT, with the accounts `env` configures, IAM refusing the password. */
async function refusal(env: (iamUrl: string) => Record<string, string>): Promise<MetaStudioError> {
  sim = await startSimulator({
    projectIds: [PROJECT],
    roomsPerProject: 1,
    credentials: {
      accessKeys: {},
      tokens: [],
      iamUsers: [{ domain: "acme", username: "sync-bot", password: "the-right-one" }],
    },
  });
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
  clients = new AccountClients({
    accounts: loadConfig(env(sim.url)).accounts,
    logger: createLogger("info", quiet),
  });
  try {
    await clients.listSmartChatRooms({ projectId: PROJECT, offset: 0, limit: 10 });
  } catch (error) {
    expect(error).toBeInstanceOf(MetaStudioError);
    return error as MetaStudioError;
  }
  throw new Error("expected IAM to refuse the password");
}

describe("IAM refusing an account's password", () => {
  it("names the accounts file's account and keys for an account from METASTUDIO_CONFIG", async () => {
    const file = join(dir, "accounts.yaml");
    const error = await refusal((iamUrl) => {
      writeFileSync(
        file,
        `accounts:\n  - name: cn\n    endpoint: ${iamUrl}\n    projects: [${PROJECT}]\n` +
          `    iam: { endpoint: "${iamUrl}", domain: acme, username: sync-bot, password: not-the-password }\n`,
      );
      return { METASTUDIO_CONFIG: file };
    });
    // Before, it said to check the HUAWEICLOUD_IAM_* variables, which METASTUDIO_CONFIG forbids.
    expect(error).toMatchObject({ status: 401, errorCode: "IAM.0005", service: "iam" });
    expect(error.message).toMatch(/^IAM refused a token for project /);
    expect(error.message).toContain(`check account "cn" (iam.domain, iam.username, iam.password) in ${file}`);
    expect(error.message).not.toMatch(ENV_NAMES);
    expect(error.message).not.toContain("not-the-password");
  });

  it("names the HUAWEICLOUD_IAM_* variables for the account of the environment", async () => {
    const error = await refusal((iamUrl) => ({
      METASTUDIO_ENDPOINT: iamUrl,
      METASTUDIO_PROJECT_IDS: PROJECT,
      HUAWEICLOUD_IAM_ENDPOINT: iamUrl,
      HUAWEICLOUD_IAM_DOMAIN: "acme",
      HUAWEICLOUD_IAM_USERNAME: "sync-bot",
      HUAWEICLOUD_IAM_PASSWORD: "not-the-password",
    }));
    expect(error).toMatchObject({ status: 401, errorCode: "IAM.0005", service: "iam" });
    expect(error.message).toContain(
      "check HUAWEICLOUD_IAM_DOMAIN, HUAWEICLOUD_IAM_USERNAME and HUAWEICLOUD_IAM_PASSWORD",
    );
    expect(error.message).not.toContain("not-the-password");
  });
});

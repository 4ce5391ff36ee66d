import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";

import { describe, expect, it } from "vitest";

import { loadConfig, type AccountConfig } from "../../src/config/config.js";
import { createLogger } from "../../src/logger.js";
import { MetaStudioClient } from "../../src/metastudio/metastudio-client.js";
import { accountKey } from "../../src/queue/account-key.js";
import { startSimulator } from "../../src/simulator/simulator.js";
import { useCloseAfterEach } from "../support/close-after-each.js";

/**
 * Two deployments on one Redis configured with the same account, its endpoint spelled two ways:
 * the upstream throttles the account, not the spelling, so they must share one limiter key.
 */
const PROJECT = "0123456789abcdef0123456789abcdef";
const AK = "AKSPELLINGTEST";
const SK = `sk-${randomBytes(8).toString("hex")}`;

const closeAfterEach = useCloseAfterEach();

function account(endpoint: string): AccountConfig {
  return loadConfig({
    METASTUDIO_ENDPOINT: endpoint,
    METASTUDIO_PROJECT_IDS: PROJECT,
    HUAWEICLOUD_SDK_AK: AK,
    HUAWEICLOUD_SDK_SK: SK,
  }).accounts[0]!;
}

describe("one endpoint spelled two ways", () => {
  it("is one endpoint: lower-case host, no default port, no trailing slash", () => {
    const spellings = [
      "https://metastudio.cn-north-4.myhuaweicloud.com",
      "https://MetaStudio.CN-North-4.MyHuaweiCloud.com",
      "HTTPS://metastudio.cn-north-4.myhuaweicloud.com:443/",
      "https://metastudio.cn-north-4.myhuaweicloud.com//",
    ];
    const accounts = spellings.map(account);
    expect(new Set(accounts.map((a) => a.endpoint))).toEqual(
      new Set(["https://metastudio.cn-north-4.myhuaweicloud.com"]),
    );
    expect(new Set(accounts.map(accountKey)).size).toBe(1);
    // A path is not a host: its case is kept.
    expect(account("https://Example.com/Gateway/").endpoint).toBe("https://example.com/Gateway");
  });

  it("is the limiter's key, and AK/SK requests from either spelling still verify", async () => {
    const sim = await startSimulator({
      projectIds: [PROJECT],
      roomsPerProject: 5,
      credentials: { accessKeys: { [AK]: SK }, tokens: [], iamUsers: [] },
    });
    closeAfterEach(sim);
    const port = new URL(sim.url).port;
    const configs = [`http://127.0.0.1:${port}`, `HTTP://127.1:${port}/`].map(account);
    // What each deployment's worker keys its Redis limiter by (src/runtime/start-worker.ts).
    expect(accountKey(configs[0]!)).toBe(accountKey(configs[1]!));
    const quiet = createLogger("info", new Writable({ write: (_chunk, _encoding, done) => done() }));
    const clients = configs.map((config) => closeAfterEach(new MetaStudioClient({ config, logger: quiet })));
    // The signature covers the Host header: signed for one spelling and sent as another, it fails.
    const pages = await Promise.all(
      clients.map((client) => client.listSmartChatRooms({ projectId: PROJECT, offset: 0, limit: 10 })),
    );
    expect(pages.map((page) => [page.status, page.attempts, page.rooms.length])).toEqual([
      [200, 1, 5],
      [200, 1, 5],
    ]);
  });
});

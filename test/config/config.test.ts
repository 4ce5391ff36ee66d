import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { loadConfig } from "../../src/config/config.js";
import { configRefusal } from "../support/config-refusal.js";

const base = {
  METASTUDIO_ENDPOINT: "https://metastudio.cn-north-4.myhuaweicloud.com/",
  METASTUDIO_PROJECT_IDS: "p1, p2 ",
  METASTUDIO_AUTH_TOKEN: "tok",
};

describe("loadConfig", () => {
  it("reads a minimal configuration with documented defaults", () => {
    const config = loadConfig(base);
    expect(config.accounts).toHaveLength(1);
    expect(config.accounts[0]).toMatchObject({
      name: "default",
      endpoint: "https://metastudio.cn-north-4.myhuaweicloud.com",
      projectIds: ["p1", "p2"],
      auth: { kind: "token", token: "tok" },
      rateLimitPerSecond: 8,
    });
    expect(config.accounts[0]!.rateLimitPerSecond).toBeLessThan(10);
    expect(config.admin).toEqual({ host: "127.0.0.1", port: 9464, token: undefined });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.sync.massDeleteThreshold).toBe(0.2);
  });

  it("prefers AK/SK, and names the missing half", () => {
    expect(
      loadConfig({ ...base, HUAWEICLOUD_SDK_AK: "ak", HUAWEICLOUD_SDK_SK: "sk" }).accounts[0]!.auth.kind,
    ).toBe("aksk");
    expect(configRefusal({ ...base, HUAWEICLOUD_SDK_AK: "ak" })).toMatch(/HUAWEICLOUD_SDK_SK/);
  });

  it("reads a temporary AK/SK's security token from HUAWEICLOUD_SDK_SECURITY_TOKEN", () => {
    const env = { ...base, HUAWEICLOUD_SDK_AK: "ak", HUAWEICLOUD_SDK_SK: "sk" };
    expect(loadConfig({ ...env, HUAWEICLOUD_SDK_SECURITY_TOKEN: "st" }).accounts[0]!.auth).toMatchObject({
      kind: "aksk",
      securityToken: "st",
    });
  });

  it("names every missing IAM variable", () => {
    const message = configRefusal({
      METASTUDIO_ENDPOINT: base.METASTUDIO_ENDPOINT,
      METASTUDIO_PROJECT_IDS: "p1",
      HUAWEICLOUD_IAM_USERNAME: "u",
    });
    expect(message).toMatch(/HUAWEICLOUD_IAM_ENDPOINT, HUAWEICLOUD_IAM_DOMAIN, HUAWEICLOUD_IAM_PASSWORD/);
  });

  it("explains every way to authenticate when none is configured", () => {
    const message = configRefusal({
      METASTUDIO_ENDPOINT: base.METASTUDIO_ENDPOINT,
      METASTUDIO_PROJECT_IDS: "p1",
    });
    expect(message).toMatch(/HUAWEICLOUD_SDK_AK.*METASTUDIO_AUTH_TOKEN.*HUAWEICLOUD_IAM_PASSWORD/);
  });

  it("names the variable in every validation error, without echoing URL contents", () => {
    expect(configRefusal({ ...base, METASTUDIO_ENDPOINT: "ftp://x" })).toMatch(
      /METASTUDIO_ENDPOINT must start with http/,
    );
    expect(configRefusal({ ...base, METASTUDIO_PROJECT_IDS: "ok,not ok" })).toMatch(
      /METASTUDIO_PROJECT_IDS.*"not ok"/,
    );
    expect(configRefusal({ ...base, METASTUDIO_RATE_LIMIT: "fast" })).toMatch(
      /METASTUDIO_RATE_LIMIT must be a number/,
    );
    expect(configRefusal({ ...base, LOG_LEVEL: "loud" })).toMatch(/LOG_LEVEL/);
    const secretUrl = configRefusal({ ...base, DATABASE_URL: "mysql://user:hunter2@db/x" });
    expect(secretUrl).toMatch(/DATABASE_URL/);
    expect(secretUrl).not.toContain("hunter2");
    expect(configRefusal({ METASTUDIO_PROJECT_IDS: "p1", METASTUDIO_AUTH_TOKEN: "t" })).toMatch(
      /METASTUDIO_ENDPOINT is not set/,
    );
  });

  it("reads secrets from NAME_FILE, and refuses both forms at once", () => {
    const dir = mkdtempSync(join(tmpdir(), "msync-"));
    const file = join(dir, "sk");
    writeFileSync(file, "secret-from-file\n");
    const config = loadConfig({ ...base, HUAWEICLOUD_SDK_AK: "ak", HUAWEICLOUD_SDK_SK_FILE: file });
    expect(config.accounts[0]!.auth).toEqual({
      kind: "aksk",
      accessKey: "ak",
      secretKey: "secret-from-file",
      securityToken: undefined,
    });
    expect(configRefusal({ ...base, METASTUDIO_AUTH_TOKEN_FILE: file })).toMatch(
      /METASTUDIO_AUTH_TOKEN or METASTUDIO_AUTH_TOKEN_FILE/,
    );
    expect(
      configRefusal({ ...base, HUAWEICLOUD_SDK_AK: "ak", HUAWEICLOUD_SDK_SK_FILE: join(dir, "missing") }),
    ).toMatch(/HUAWEICLOUD_SDK_SK_FILE names .*missing.*ENOENT/);
  });

  it("reads housekeeping retention, keeping changes unless told otherwise", () => {
    expect(loadConfig(base).housekeeping).toMatchObject({
      requestsDays: 90,
      runsDays: 365,
      changesDays: undefined,
      everyHours: 6,
    });
    expect(loadConfig({ ...base, HOUSEKEEPING_CHANGES_DAYS: "730" }).housekeeping.changesDays).toBe(730);
    expect(configRefusal({ ...base, HOUSEKEEPING_REQUESTS_DAYS: "0" })).toMatch(/HOUSEKEEPING_REQUESTS_DAYS/);
  });

  it("does not require MetaStudio settings for commands that do not call it", () => {
    expect(loadConfig({}, { metastudio: false }).accounts).toBeUndefined();
  });

  // status, changes and migrate with the projects configured but not the endpoint or a credential:
  // an operator's shell, or a read-only deployment, has no reason to hold them.
  it("reads no account at all for those commands, even when some are configured", () => {
    expect(loadConfig({ METASTUDIO_PROJECT_IDS: "p1" }, { metastudio: false }).accounts).toBeUndefined();
    expect(
      loadConfig({ METASTUDIO_CONFIG: "/nonexistent/accounts.yaml" }, { metastudio: false }).accounts,
    ).toBeUndefined();
    // The MetaStudio form still demands them all.
    expect(configRefusal({ METASTUDIO_PROJECT_IDS: "p1" })).toMatch(/METASTUDIO_ENDPOINT is not set/);
  });
});

import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { demoDataDir, freshDemoDir } from "../../scripts/fresh-demo-dir.js";

const root = mkdtempSync(join(tmpdir(), "msync-demo-dir-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("freshDemoDir", () => {
  it("leaves a directory it did not create alone, and empties one it did", () => {
    const users = join(root, "users-mirror");
    mkdirSync(users);
    writeFileSync(join(users, "PG_VERSION"), "17\n");
    expect(() => freshDemoDir(users)).toThrow(/not created by the demo/);
    expect(readdirSync(users)).toEqual(["PG_VERSION"]);

    const demo = join(root, "demo");
    freshDemoDir(demo);
    writeFileSync(join(demo, "PG_VERSION"), "17\n");
    freshDemoDir(demo);
    expect(existsSync(join(demo, "PG_VERSION"))).toBe(false);
    expect(readdirSync(demo)).toHaveLength(1);
  });

  it("keeps a cluster an earlier demo created (creating one costs the most memory), and refuses a user's", () => {
    const demo = join(root, "kept");
    expect(demoDataDir(demo)).toBe("created");
    // Created, but no cluster yet (the demo stopped before opening it): made afresh.
    expect(demoDataDir(demo)).toBe("created");
    writeFileSync(join(demo, "PG_VERSION"), "17\n");
    expect(demoDataDir(demo)).toBe("reused");
    expect(existsSync(join(demo, "PG_VERSION"))).toBe(true);

    const users = join(root, "users-cluster");
    mkdirSync(users);
    writeFileSync(join(users, "PG_VERSION"), "17\n");
    expect(() => demoDataDir(users)).toThrow(/not created by the demo/);
    expect(readdirSync(users)).toEqual(["PG_VERSION"]);
  });
});

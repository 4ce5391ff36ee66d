import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { ENV_HELP } from "../../src/cli/env-help.js";

/**
 * Every variable the configuration reads is documented twice: in `--help` and in the README's
 * Configuration table. A variable added to src/config without either is one users cannot find.
 */
const READERS = /\b(?:readEnv|readNumber|readUrl|days)\(\s*(?:env,\s*)?"([A-Z][A-Z0-9_]+)"/g;

function variablesRead(): string[] {
  const files = ["src/config", "src/queue"].flatMap((dir) =>
    readdirSync(dir)
      .filter((name) => name.endsWith(".ts"))
      .map((name) => join(dir, name)),
  );
  const names = files.flatMap((file) => [...readFileSync(file, "utf8").matchAll(READERS)].map((m) => m[1]!));
  return [...new Set(names)].sort();
}

function configurationTable(): string {
  const readme = readFileSync("README.md", "utf8");
  const start = readme.indexOf("## Configuration");
  return readme.slice(start, readme.indexOf("\n## ", start + 1));
}

describe("environment documentation", () => {
  const variables = variablesRead();

  it("finds the variables the configuration reads", () => {
    expect(variables).toContain("SYNC_RUN_REQUESTS");
    expect(variables).toContain("METASTUDIO_MAX_BODY_BYTES");
    expect(variables.length).toBeGreaterThan(30);
  });

  it("lists every one in some command's --help and in the README's Configuration table", () => {
    const help = Object.values(ENV_HELP).join("\n");
    const table = configurationTable();
    expect(variables.filter((name) => !new RegExp(`\\b${name}\\b`).test(help))).toEqual([]);
    expect(variables.filter((name) => !table.includes(`\`${name}\``))).toEqual([]);
  });
});

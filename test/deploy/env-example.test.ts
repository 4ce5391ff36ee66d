import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import { ENV_HELP } from "../../src/cli/env-help.js";

const example = readFileSync(".env.example", "utf8");

/** Every variable name the commands' --help documents. */
function documentedVariables(): string[] {
  const names = Object.values(ENV_HELP).flatMap(
    (text) => text.match(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g) ?? [],
  );
  // NAME_FILE is the help's placeholder for every secret's file form, not a variable.
  return [...new Set(names)].filter((name) => name !== "NAME_FILE").sort();
}

describe(".env.example", () => {
  it("documents every variable the commands' --help lists, as NAME= (set or commented out)", () => {
    const variables = documentedVariables();
    expect(variables.length).toBeGreaterThan(30);
    const missing = variables.filter((name) => !new RegExp(`^#? ?${name}=`, "m").test(example));
    expect(missing).toEqual([]);
  });

  it("sets no secret: secrets go in ./secrets, read as NAME_FILE", () => {
    for (const name of [
      "HUAWEICLOUD_SDK_SK",
      "HUAWEICLOUD_SDK_SECURITY_TOKEN",
      "METASTUDIO_AUTH_TOKEN",
      "HUAWEICLOUD_IAM_PASSWORD",
      "ADMIN_TOKEN",
      "DATABASE_URL",
    ]) {
      expect(example, name).not.toMatch(new RegExp(`^${name}=`, "m"));
    }
  });
});

import { expect } from "vitest";

import { ConfigError } from "../../src/config/config-error.js";
import { loadConfig } from "../../src/config/config.js";

/** The message of the ConfigError `loadConfig(env)` throws; fails the test if it throws none. */
export function configRefusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

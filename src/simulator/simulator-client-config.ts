import type { MetaStudioConfig } from "../config/config.js";

/**
 * The client configuration that talks to a bundled simulator with a token: no rate limit (the
 * simulator throttles only when told to) and a short deadline, so tests and drills that make a
 * request fail, fail fast. `overrides` win.
 */
export function simulatorClientConfig(
  endpoint: string,
  projectIds: string[],
  token: string,
  overrides: Partial<MetaStudioConfig> = {},
): MetaStudioConfig {
  return {
    endpoint,
    projectIds,
    auth: { kind: "token", token },
    appUserId: undefined,
    rateLimitPerSecond: 10_000,
    requestTimeoutMs: 10_000,
    maxAttempts: 8,
    pageConcurrency: 4,
    ...overrides,
  };
}

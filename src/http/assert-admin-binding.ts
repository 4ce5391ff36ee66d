import type { AdminConfig } from "../config/config.js";
import { ConfigError } from "../config/config-error.js";
import { isLoopbackHost } from "../is-loopback-host.js";

/**
 * Refuses an admin server reachable beyond this machine without a token: its routes would let
 * anyone on the network enqueue runs and retry or clean jobs. Cheap and synchronous, so the worker
 * can call it before it opens anything; `startAdminServer` calls it again.
 */
export function assertAdminBinding(config: AdminConfig): void {
  if (isLoopbackHost(config.host) || config.token !== undefined) return;
  throw new ConfigError(
    `ADMIN_HOST is ${JSON.stringify(config.host)}, which is reachable beyond this machine, and ADMIN_TOKEN is not set. ` +
      "Set ADMIN_TOKEN (or ADMIN_TOKEN_FILE), or bind ADMIN_HOST to 127.0.0.1.",
  );
}

import { ConfigError } from "./config/config-error.js";

/** How log records are written: one JSON object a line, or pino-pretty's lines for a person. */
export type LogFormat = "json" | "pretty";

const FORMATS: readonly LogFormat[] = ["json", "pretty"];

/**
 * LOG_FORMAT when set; otherwise pretty only where a person is watching (`terminal`) and JSON
 * everywhere else: a log shipper or `jq` reading a pipe, a container, the worker. The worker
 * passes `terminal: false` whatever its stderr is: its logs are a service's, read by machines.
 */
export function resolveLogFormat(env: Record<string, string | undefined>, terminal: boolean): LogFormat {
  const raw = env.LOG_FORMAT?.trim();
  if (raw === undefined || raw === "") return terminal ? "pretty" : "json";
  if (!FORMATS.includes(raw as LogFormat)) {
    throw new ConfigError(`LOG_FORMAT must be json or pretty; got ${JSON.stringify(raw)}.`);
  }
  return raw as LogFormat;
}

import { ConfigError } from "../config/config-error.js";

/** Narrows the configured projects to those named with --project; an unknown one is a usage error. */
export function selectProjects(configured: string[], named: string[]): string[] {
  const unknown = named.filter((id) => !configured.includes(id));
  if (unknown.length > 0) {
    throw new ConfigError(
      `--project ${unknown.join(", ")} is not in METASTUDIO_PROJECT_IDS (${configured.join(", ")}).`,
    );
  }
  return named.length > 0 ? [...new Set(named)] : configured;
}

import { ConfigError } from "../config/config-error.js";

/**
 * Narrows the configured projects to those named with --project; an unknown one is a usage error.
 * @param source the variable the projects came from, for the message @default "METASTUDIO_PROJECT_IDS"
 */
export function selectProjects(
  configured: string[],
  named: string[],
  source = "METASTUDIO_PROJECT_IDS",
): string[] {
  const unknown = named.filter((id) => !configured.includes(id));
  if (unknown.length > 0) {
    throw new ConfigError(`--project ${unknown.join(", ")} is not in ${source} (${configured.join(", ")}).`);
  }
  return named.length > 0 ? [...new Set(named)] : configured;
}

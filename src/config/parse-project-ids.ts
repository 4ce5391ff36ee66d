import { ConfigError } from "./config-error.js";

const PROJECT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A project ID as MetaStudio issues them: letters, digits, - and _, at most 64. */
export function isProjectId(id: string): boolean {
  return PROJECT_ID.test(id);
}

/**
 * METASTUDIO_PROJECT_IDS: comma-separated, each a project ID, none empty (`a,,b` is a typo),
 * none twice (a copy-paste slip that would sync a project twice as often). The error quotes the
 * bad entry only when it came from the variable itself, not from a `_FILE` that may hold a secret.
 */
export function parseProjectIds(raw: string, fromFile: boolean): string[] {
  const name = "METASTUDIO_PROJECT_IDS";
  const ids = raw.split(",").map((id) => id.trim());
  const show = (id: string) =>
    fromFile ? `entry ${ids.indexOf(id) + 1} of ${name}_FILE` : JSON.stringify(id);
  if (ids.some((id) => id === "")) {
    throw new ConfigError(`${name} has an empty entry; give project IDs separated by single commas.`);
  }
  const bad = ids.find((id) => !isProjectId(id));
  if (bad !== undefined) {
    throw new ConfigError(
      `${name} must be project IDs (letters, digits, - and _, at most 64), comma-separated; got ${show(bad)}.`,
    );
  }
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined) throw new ConfigError(`${name} names ${show(twice)} twice.`);
  return ids;
}

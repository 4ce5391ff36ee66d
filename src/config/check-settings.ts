import { resolve } from "node:path";

import { ConfigError } from "./config-error.js";
import { controlCharacterProblem } from "./control-character-problem.js";
import { headerValueProblem } from "./header-value-problem.js";

/** Shortest ADMIN_TOKEN accepted: guessable tokens guard nothing. */
export const MIN_ADMIN_TOKEN_CHARS = 16;

/**
 * A credential with a control character is refused at start (see controlCharacterProblem): in a
 * header it was retried as a network error six times, in an SK or IAM password it failed as a 401.
 */
export function checkCredential(name: string, value: string | undefined): string | undefined {
  const problem = value === undefined ? undefined : controlCharacterProblem(value);
  if (problem !== undefined) throw new ConfigError(`${name} ${problem}.`);
  return value;
}

/**
 * A value sent as an HTTP header (AK, token, security token, app user ID): one undici refuses
 * fails every request, retried as a network error, instead of once at start-up naming it.
 */
export function checkHeaderValue(name: string, value: string | undefined): string | undefined {
  const problem = value === undefined ? undefined : headerValueProblem(value);
  if (problem !== undefined) throw new ConfigError(`${name} ${problem}.`);
  return value;
}

export function checkAdminToken(token: string | undefined): string | undefined {
  if (token !== undefined && token.length < MIN_ADMIN_TOKEN_CHARS) {
    throw new ConfigError(
      `ADMIN_TOKEN must have at least ${MIN_ADMIN_TOKEN_CHARS} characters; use a random one.`,
    );
  }
  return checkCredential("ADMIN_TOKEN", token);
}

/** The embedded database's directory: never in a kernel file system (/proc, /sys, /dev). */
export function checkDataDir(dir: string): string {
  const absolute = resolve(dir);
  if (/^\/(proc|sys|dev)(\/|$)/.test(absolute)) {
    throw new ConfigError(
      `METASTUDIO_SYNC_DATA_DIR is under ${absolute.split("/")[1]!}: not a place for a database.`,
    );
  }
  return dir;
}

/** REDIS_URL's database number: the path `/N`, or 0. `/abc` is an error, not database 0. */
export function redisDatabase(url: string): number {
  const path = new URL(url).pathname;
  if (path === "" || path === "/") return 0;
  const match = /^\/(\d{1,5})$/.exec(path);
  if (!match)
    throw new ConfigError(`REDIS_URL must end in a database number such as /0; got ${JSON.stringify(path)}.`);
  return Number(match[1]);
}

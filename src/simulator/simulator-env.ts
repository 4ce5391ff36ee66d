import { ConfigError } from "../config/config-error.js";
import { readEnv, type Env } from "../config/read-env.js";
import type { SimulatorCredentials, SimulatorOptions } from "./simulator.js";

/**
 * What the simulator serves and accepts, from the same variables the client reads, so one
 * environment drives both: projects from METASTUDIO_PROJECT_IDS; AK/SK, token and IAM user from
 * theirs (each also as NAME_FILE).
 */
export function simulatorOptionsFromEnv(env: Env): Pick<SimulatorOptions, "projectIds" | "credentials"> {
  const projectIds = (readEnv(env, "METASTUDIO_PROJECT_IDS") ?? "")
    .split(",")
    .map((id) => id.trim())
    .filter(Boolean);
  if (projectIds.length === 0) {
    throw new ConfigError("METASTUDIO_PROJECT_IDS is not set; the simulator serves those projects.");
  }
  const credentials: SimulatorCredentials = { accessKeys: {}, tokens: [], iamUsers: [] };
  const ak = readEnv(env, "HUAWEICLOUD_SDK_AK");
  const sk = readEnv(env, "HUAWEICLOUD_SDK_SK");
  if (ak !== undefined && sk !== undefined) credentials.accessKeys[ak] = sk;
  const token = readEnv(env, "METASTUDIO_AUTH_TOKEN");
  if (token !== undefined) credentials.tokens.push(token);
  const domain = readEnv(env, "HUAWEICLOUD_IAM_DOMAIN");
  const username = readEnv(env, "HUAWEICLOUD_IAM_USERNAME");
  const password = readEnv(env, "HUAWEICLOUD_IAM_PASSWORD");
  if (domain !== undefined && username !== undefined && password !== undefined) {
    credentials.iamUsers.push({ domain, username, password });
  }
  if (ak === undefined && token === undefined && password === undefined) {
    throw new ConfigError(
      "The simulator accepts the credentials the client uses, and none is set: HUAWEICLOUD_SDK_AK and " +
        "HUAWEICLOUD_SDK_SK, METASTUDIO_AUTH_TOKEN, or HUAWEICLOUD_IAM_DOMAIN, _USERNAME and _PASSWORD.",
    );
  }
  return { projectIds, credentials };
}

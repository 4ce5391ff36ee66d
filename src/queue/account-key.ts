import { createHash } from "node:crypto";

import type { AccountConfig } from "../config/config.js";

/**
 * The Redis identity of an account, for its shared rate limit and its 429 holds: the name plus a
 * short hash of the endpoint and who the credential is (the AK, the IAM user, a hash of the
 * token). Two deployments on one Redis that both call their account `default` therefore share
 * a limit only when they really use the same account in the same region, as the upstream's
 * throttling does; the hash is one-way and short, so no secret can be read back from a key.
 */
export function accountKey(account: AccountConfig): string {
  const { auth } = account;
  const who =
    auth.kind === "aksk"
      ? `ak:${auth.accessKey}`
      : auth.kind === "token"
        ? `token:${auth.token}`
        : `iam:${auth.domain}/${auth.username}`;
  const digest = createHash("sha256").update(`${account.endpoint}\n${who}`).digest("hex").slice(0, 12);
  return `${account.name}-${digest}`;
}

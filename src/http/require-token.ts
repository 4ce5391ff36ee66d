import { createHash, timingSafeEqual } from "node:crypto";

import type { MiddlewareHandler } from "hono";

/** The realm browsers show in their login prompt. */
export const AUTH_REALM = "metastudio-sync";

export interface RequireTokenOptions {
  /** `ADMIN_TOKEN`; without one every request is refused with 403 (see the README's admin section). */
  token: string | undefined;
  /**
   * Accept HTTP Basic auth with the token as password (any user name), and ask for it on a 401 so a
   * browser prompts. Only for pages a browser visits: a browser replays Basic credentials on its
   * own, which must never be enough to trigger a resync.
   * @default false
   */
  basic?: boolean;
}

/**
 * Lets a request through only with the admin token, as `Authorization: Bearer <token>` (or as the
 * Basic password when `basic` is set), compared in constant time.
 */
export function requireToken(options: RequireTokenOptions): MiddlewareHandler {
  const expected = options.token === undefined ? undefined : digest(options.token);
  const challenge = options.basic ? `Basic realm="${AUTH_REALM}"` : `Bearer realm="${AUTH_REALM}"`;
  return async (c, next) => {
    if (expected === undefined) {
      return c.json({ error: "ADMIN_TOKEN is not set: set it to use this route." }, 403);
    }
    const presented = presentedToken(c.req.header("authorization"), options.basic ?? false);
    // Digests make the lengths equal, which timingSafeEqual needs, without revealing the length.
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      c.header("WWW-Authenticate", challenge);
      return c.json({ error: "A valid ADMIN_TOKEN is required." }, 401);
    }
    await next();
  };
}

function presentedToken(header: string | undefined, basic: boolean): string | undefined {
  if (header === undefined) return undefined;
  const match = /^(\S+)\s+(.*)$/s.exec(header.trim());
  if (!match) return undefined;
  const [, scheme = "", value = ""] = match;
  if (scheme.toLowerCase() === "bearer") return value;
  if (basic && scheme.toLowerCase() === "basic") {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return colon === -1 ? undefined : decoded.slice(colon + 1);
  }
  return undefined;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

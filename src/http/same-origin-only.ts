import type { MiddlewareHandler } from "hono";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses a state-changing request another site's page sent, whatever its content type: hono's
 * csrf() checks only form content types, and the board's API takes JSON. A browser names the
 * sending page in `Origin` (and `Sec-Fetch-Site`); a request without either is not from a
 * browser page (curl, scripts) and passes on its credentials alone.
 */
export function sameOriginOnly(): MiddlewareHandler {
  return async (c, next) => {
    if (!SAFE.has(c.req.method)) {
      const origin = c.req.header("origin");
      const site = c.req.header("sec-fetch-site");
      const host = new URL(c.req.url).host;
      // "null" (an opaque origin) and text that is no origin at all are not this server's page.
      const crossOrigin = origin !== undefined && (!URL.canParse(origin) || new URL(origin).host !== host);
      if (crossOrigin || (site !== undefined && site !== "same-origin" && site !== "none")) {
        return c.json({ error: "Cross-site request refused" }, 403);
      }
    }
    await next();
  };
}

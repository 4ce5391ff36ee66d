import type { MiddlewareHandler } from "hono";

import type { Logger } from "../logger.js";

/** Logs each request at debug level once answered, without its headers: they may carry the token. */
export function logRequests(logger: Logger): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    logger.debug(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        duration_ms: Math.round(performance.now() - started),
      },
      "admin request",
    );
  };
}

// Types for the modules loaded from inside packages rather than from their index, which would load
// far more than is used (see src/metastudio/undici.ts and src/metastudio/rate-limiter.ts). The
// packages ship types for their index only; each module is typed as its index re-exports it.

declare module "undici/lib/api/index.js" {
  import type { Dispatcher } from "undici";
  const api: Pick<Dispatcher, "request" | "stream" | "pipeline" | "upgrade" | "connect">;
  export default api;
}

declare module "undici/lib/dispatcher/dispatcher.js" {
  import type { Dispatcher } from "undici";
  const DispatcherClass: typeof Dispatcher;
  export default DispatcherClass;
}

declare module "undici/lib/dispatcher/env-http-proxy-agent.js" {
  import type { EnvHttpProxyAgent } from "undici";
  const EnvHttpProxyAgentClass: typeof EnvHttpProxyAgent;
  export default EnvHttpProxyAgentClass;
}

declare module "undici/lib/dispatcher/pool.js" {
  import type { Pool } from "undici";
  const PoolClass: typeof Pool;
  export default PoolClass;
}

declare module "undici/lib/core/connect.js" {
  import type { buildConnector } from "undici";
  const buildConnectorFunction: typeof buildConnector;
  export default buildConnectorFunction;
}

declare module "undici/lib/core/util.js" {
  const util: { parseURL(url: string | URL): URL };
  export default util;
}

declare module "rate-limiter-flexible/lib/RateLimiterMemory.js" {
  import type { RateLimiterMemory } from "rate-limiter-flexible";
  const RateLimiterMemoryClass: typeof RateLimiterMemory;
  export default RateLimiterMemoryClass;
}

declare module "rate-limiter-flexible/lib/RateLimiterRedis.js" {
  import type { RateLimiterRedis } from "rate-limiter-flexible";
  const RateLimiterRedisClass: typeof RateLimiterRedis;
  export default RateLimiterRedisClass;
}

declare module "rate-limiter-flexible/lib/RateLimiterRes.js" {
  import type { RateLimiterRes } from "rate-limiter-flexible";
  const RateLimiterResClass: typeof RateLimiterRes;
  export default RateLimiterResClass;
}

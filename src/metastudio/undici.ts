import api from "undici/lib/api/index.js";
import buildConnectorFunction from "undici/lib/core/connect.js";
import DispatcherClass from "undici/lib/dispatcher/dispatcher.js";
import EnvHttpProxyAgentClass from "undici/lib/dispatcher/env-http-proxy-agent.js";
import PoolClass from "undici/lib/dispatcher/pool.js";
import util from "undici/lib/core/util.js";
import type * as Undici from "undici";

/**
 * The parts of undici this client uses, loaded from undici's own modules instead of its index.
 * The index also loads fetch, WebSocket, EventSource, the cache, the mocks and cookies, and the
 * cookies' brand check reads `globalThis.Headers`, which loads Node's own bundled copy of undici
 * as well: about 55 ms of every CLI process's start-up to load code a sync never runs (the
 * index against these modules, `require` alone, five pairs), and more memory.
 *
 * These are the modules the index itself requires. undici 7 has no `exports` map, so they can be
 * imported, but they are internal files that semver does not cover: should an update move one,
 * the bundle's build and test/metastudio/undici.test.ts fail rather than the CLI at run time.
 */

export type Dispatcher = Undici.Dispatcher;

/** What `request` resolves to: the status, the headers and the unread body. */
export type ResponseData = Undici.Dispatcher.ResponseData;

/**
 * The index adds the request API (request, stream, pipeline, upgrade, connect) to every
 * dispatcher; done here instead. Not only for `request`: a ProxyAgent opens its tunnel with
 * `client.connect()`, so without this every proxied request would fail.
 */
Object.assign(DispatcherClass.prototype, api);

/** undici's EnvHttpProxyAgent: the proxy the environment names (HTTP_PROXY, HTTPS_PROXY, NO_PROXY). */
export const EnvHttpProxyAgent = EnvHttpProxyAgentClass;

export type EnvHttpProxyAgentOptions = Undici.EnvHttpProxyAgent.Options;

/**
 * undici's Pool and connector, already loaded by the ProxyAgent and Agent that use them: the
 * proxy's connections and the direct ones are made with these so their failures can name a host.
 */
export const Pool = PoolClass;
export const buildConnector = buildConnectorFunction;

export type PoolOptions = Undici.Pool.Options;
export type ConnectOptions = Undici.Dispatcher.ConnectOptions;
export type ConnectData = Undici.Dispatcher.ConnectData;
export type Connector = Undici.buildConnector.connector;

/** Options of `request`; unlike undici's, a dispatcher is required (there is no global one here). */
export type RequestOptions = Omit<Undici.Dispatcher.RequestOptions, "origin" | "path" | "method"> & {
  method: Undici.Dispatcher.HttpMethod;
  dispatcher: Dispatcher;
};

/** undici's `request(url, options)`: the URL checked and split as undici's index splits it. */
export function request(url: string | URL, options: RequestOptions): Promise<Undici.Dispatcher.ResponseData> {
  const { dispatcher, ...rest } = options;
  const target = util.parseURL(url);
  return dispatcher.request({
    ...rest,
    origin: target.origin,
    path: target.search ? `${target.pathname}${target.search}` : target.pathname,
  });
}

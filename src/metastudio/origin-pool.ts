import { ConnectFailure } from "./connect-failure.js";
import type { TunnelRoutes } from "./tunnel-routes.js";
import { buildConnector, Pool, type Connector, type Dispatcher, type PoolOptions } from "./undici.js";

/**
 * The pool of one upstream origin (undici's Agent `factory`), whose failed connects name the host
 * and port connected to: Node's errors name an IP address at best (`connect ECONNREFUSED
 * 10.0.0.5:443`), a failed lookup only the name, a reset or refused TLS handshake nothing.
 *
 * Both of EnvHttpProxyAgent's agents make their pools here. The direct one hands undici's connect
 * options, built into undici's connector as the pool would; a ProxyAgent hands its own connector,
 * which opens the tunnel and then the TLS inside it. The proxy's failures are already named (see
 * proxy-client.ts) and pass as they are; what fails after the tunnel opened (the upstream's
 * certificate, a handshake cut) is the upstream's, named with the proxy it went through.
 */
export function originPoolFactory(tunnels: TunnelRoutes) {
  return (origin: string | URL, options: object): Dispatcher => {
    const settings = options as PoolOptions;
    const url = new URL(String(origin));
    const host = `${url.hostname}:${url.port || (url.protocol === "https:" ? "443" : "80")}`;
    const tunnelled = typeof settings.connect === "function";
    const connect: Connector =
      typeof settings.connect === "function" ? settings.connect : directConnector(settings);
    const named: Connector = (params, callback) => {
      connect(params, (...result) => {
        if (result[0] === null || result[0] instanceof ConnectFailure) return callback(...result);
        // Only a ProxyAgent's pools tunnel: a host NO_PROXY has since exempted connects directly.
        const through = tunnelled ? tunnels.get(host) : undefined;
        callback(new ConnectFailure({ address: host, through, error: result[0] }), null);
      });
    };
    return new Pool(url, { ...settings, connect: named });
  };
}

/**
 * The connector undici's Pool would build from these options itself (the same fields, merged in
 * the same order; `tls` is typed `never`, long replaced by `connect`), so that making it here
 * drops none of them.
 */
function directConnector(settings: PoolOptions): Connector {
  const { maxCachedSessions, allowH2, socketPath, connectTimeout, autoSelectFamily } = settings;
  const connect = typeof settings.connect === "object" ? settings.connect : undefined;
  return buildConnector({
    maxCachedSessions,
    allowH2,
    socketPath,
    timeout: connectTimeout,
    ...(typeof autoSelectFamily === "boolean"
      ? { autoSelectFamily, autoSelectFamilyAttemptTimeout: settings.autoSelectFamilyAttemptTimeout }
      : undefined),
    ...connect,
  });
}

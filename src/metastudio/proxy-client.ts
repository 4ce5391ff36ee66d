import { ConnectFailure } from "./connect-failure.js";
import { proxyAddress, proxySource } from "./proxy-source.js";
import type { TunnelRoutes } from "./tunnel-routes.js";
import { Pool, type ConnectData, type ConnectOptions, type Dispatcher, type PoolOptions } from "./undici.js";

/**
 * The pool a ProxyAgent asks the proxy for its tunnels with (undici's `clientFactory`), made to
 * say that it was the proxy. undici hands the request whatever the CONNECT failed with: Node's
 * ECONNREFUSED naming an IP address, UND_ERR_SOCKET "other side closed", or for any answer but
 * 200 a RequestAbortedError (UND_ERR_ABORTED) "Proxy response (407) !== 200 when HTTP
 * Tunneling", none of them saying a proxy was involved. Each becomes a ConnectFailure naming the
 * proxy's host and port, the variable that named it and the tunnel's target.
 *
 * `answerTimeoutMs` bounds the wait for the proxy's answer to CONNECT: undici's default (300 s)
 * outlasts any request's deadline, which would then report the upstream as not answering.
 */
export function proxyClientFactory(options: { answerTimeoutMs: number; tunnels: TunnelRoutes }) {
  return (origin: URL, poolOptions: object): Dispatcher => {
    const settings = { ...(poolOptions as PoolOptions), headersTimeout: options.answerTimeoutMs };
    const pool = new Pool(origin, settings);
    const address = proxyAddress(origin);
    const route = {
      source: proxySource(origin),
      hasCredentials: origin.username !== "" || origin.password !== "",
    };
    const connect = pool.connect.bind(pool);

    async function tunnel(params: ConnectOptions): Promise<ConnectData> {
      const proxy = { ...route, target: params.path };
      // Kept for what may fail once the tunnel is open (see origin-pool.ts).
      options.tunnels.set(params.path, { address, source: route.source });
      let answer: ConnectData;
      try {
        answer = await connect(params);
      } catch (error) {
        throw new ConnectFailure({ address, proxy, error });
      }
      if (answer.statusCode === 200) return answer;
      // undici's own check, made here first so the refusal can name the proxy. The socket is
      // the proxy's refusal, not a tunnel: dropped, as undici drops it.
      answer.socket.on("error", () => undefined).destroy();
      throw new ConnectFailure({ address, proxy, proxyStatus: answer.statusCode });
    }

    // ProxyAgent awaits the promise form; the callback form, which it does not use, is left as is.
    const wrapped = (params: ConnectOptions, callback?: unknown) =>
      typeof callback === "function" ? connect(params, callback as never) : tunnel(params);
    return Object.assign(pool, { connect: wrapped as typeof pool.connect });
  };
}

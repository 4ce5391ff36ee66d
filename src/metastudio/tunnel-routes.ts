/**
 * The proxy each upstream `host:port` was last tunnelled through, as proxy-client.ts asks for the
 * tunnel: what fails inside a tunnel (the upstream's TLS) reaches the upstream's pool with no
 * word of the proxy, which origin-pool.ts finds here. One per agent; a few entries, one per
 * upstream host.
 */
export type TunnelRoutes = Map<string, ProxyHop>;

/** A proxy, as an error may name it: never its URL, which can hold a user name and password. */
export interface ProxyHop {
  /** `host:port` of the proxy. */
  address: string;
  /** The environment variables that named it, e.g. `HTTPS_PROXY`. */
  source: string;
}

/**
 * Which environment variable named a proxy, so an error about the proxy can say what to fix.
 * Read as undici's EnvHttpProxyAgent reads them: the lower-case name first when it is set at all
 * (even empty, which then turns the proxy off), HTTPS_PROXY falling back to HTTP_PROXY's proxy.
 */

type Env = Record<string, string | undefined>;

/** The variable each scheme's proxy comes from, when one is in use. */
export function proxyVariables(env: Env = process.env): {
  http: string | undefined;
  https: string | undefined;
} {
  const http = chosen(["http_proxy", "HTTP_PROXY"], env);
  return { http, https: chosen(["https_proxy", "HTTPS_PROXY"], env) ?? http };
}

function chosen(names: readonly string[], env: Env): string | undefined {
  const name = names.find((candidate) => env[candidate] !== undefined);
  return name !== undefined && env[name] ? name : undefined;
}

/**
 * The variables naming `proxy`, e.g. `HTTPS_PROXY`, or `HTTPS_PROXY or HTTP_PROXY` when both name
 * the same proxy (undici makes one agent per variable, and both hand it the same URL).
 */
export function proxySource(proxy: URL, env: Env = process.env): string {
  const { http, https } = proxyVariables(env);
  const names = [...new Set([https, http])].filter(
    (name): name is string => name !== undefined && sameUrl(env[name], proxy),
  );
  return names.length > 0 ? names.join(" or ") : "HTTPS_PROXY or HTTP_PROXY";
}

function sameUrl(value: string | undefined, proxy: URL): boolean {
  try {
    return new URL(value ?? "").href === proxy.href;
  } catch {
    return false;
  }
}

/** `host:port` of a proxy: never its user name or password. */
export function proxyAddress(proxy: URL): string {
  return `${proxy.hostname}:${proxy.port || (proxy.protocol === "https:" ? "443" : "80")}`;
}

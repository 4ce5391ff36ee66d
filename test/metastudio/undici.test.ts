import { createServer, type IncomingMessage, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

import { createHttpAgent } from "../../src/metastudio/http-agent.js";
import { request, type Dispatcher } from "../../src/metastudio/undici.js";

const listen = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );

/** Answers every request with its own path, as the upstream would with a page. */
const upstream = createServer((req, res) => {
  res.setHeader("x-request-id", "req-1");
  res.end(JSON.stringify({ path: req.url, method: req.method }));
});

/** A forward proxy as corporate networks run one: CONNECT tunnels (what undici asks for). */
const seen: string[] = [];
const proxy = createServer((req, res) => {
  seen.push(`${req.method} ${req.url}`);
  res.writeHead(502).end();
});
proxy.on("connect", (req: IncomingMessage, client, head) => {
  seen.push(`CONNECT ${req.url}`);
  const [host, port] = req.url!.split(":");
  const tunnel = connect(Number(port), host, () => {
    client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    tunnel.write(head);
    tunnel.pipe(client);
    client.pipe(tunnel);
  });
  client.on("error", () => tunnel.destroy());
  tunnel.on("error", () => client.destroy());
});

let upstreamHost = "";
let proxyHost = "";
beforeAll(async () => {
  upstreamHost = await listen(upstream);
  proxyHost = await listen(proxy);
});
afterAll(() => {
  upstream.close();
  proxy.close();
});
/** Every agent a test makes, closed after it whatever its outcome. */
const agents: Dispatcher[] = [];
const agent = () => {
  agents.push(createHttpAgent({ requestTimeoutMs: 5000 }));
  return agents.at(-1)!;
};
afterEach(async () => {
  vi.unstubAllEnvs();
  seen.length = 0;
  await Promise.all(agents.splice(0).map((a) => a.close()));
});

describe("undici's parts, loaded without its index", () => {
  it("sends a request with its path and query, and gives the status, headers and body", async () => {
    const dispatcher = agent();
    const response = await request(`http://${upstreamHost}/v1/p/smart-chat-rooms?offset=0&limit=100`, {
      method: "GET",
      dispatcher,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers["x-request-id"]).toBe("req-1");
    expect(await response.body.json()).toEqual({
      path: "/v1/p/smart-chat-rooms?offset=0&limit=100",
      method: "GET",
    });
  });

  // A ProxyAgent opens its tunnel with `client.connect()`, which undici's index adds to every
  // dispatcher: loaded without the index, that method must be added by src/metastudio/undici.ts.
  it("goes through the proxy HTTP_PROXY names", async () => {
    for (const name of ["HTTP_PROXY", "http_proxy"]) vi.stubEnv(name, `http://${proxyHost}`);
    for (const name of ["NO_PROXY", "no_proxy"]) vi.stubEnv(name, "");
    const dispatcher = agent();
    const response = await request(`http://${upstreamHost}/v1/p/smart-chat-rooms?limit=1`, {
      method: "GET",
      dispatcher,
    });
    expect(await response.body.json()).toEqual({ path: "/v1/p/smart-chat-rooms?limit=1", method: "GET" });
    expect(seen).toEqual([`CONNECT ${upstreamHost}`]);
  });

  it("refuses a URL that is not http(s), as undici's request does", () => {
    const dispatcher = agent();
    expect(() => request("ftp://example.com/", { method: "GET", dispatcher })).toThrow(/protocol/i);
  });

  it("leaves undici's index unloaded: no fetch, WebSocket or cookies in the process", () => {
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    expect(loaded.some((file) => file.endsWith("/undici/lib/dispatcher/client-h1.js"))).toBe(true);
    expect(loaded.filter((file) => /\/undici\/(index\.js|lib\/web\/)/.test(file))).toEqual([]);
  });
});

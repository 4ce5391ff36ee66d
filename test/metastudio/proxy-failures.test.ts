import { createServer, type IncomingMessage, type Server } from "node:http";
import { connect, type Server as TcpServer, type Socket } from "node:net";
import { Writable } from "node:stream";
import { inspect } from "node:util";

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { createLogger } from "../../src/logger.js";
import { createHttpAgent } from "../../src/metastudio/http-agent.js";
import { MetaStudioClient } from "../../src/metastudio/metastudio-client.js";
import { MetaStudioError } from "../../src/metastudio/metastudio-error.js";
import { errorFromTransport } from "../../src/metastudio/response-error.js";
import { request } from "../../src/metastudio/undici.js";
import { startSimulator, type Simulator } from "../../src/simulator/simulator.js";
import { simulatorClientConfig } from "../../src/simulator/simulator-client-config.js";
import { useCloseAfterEach } from "../support/close-after-each.js";
import { useRawUpstream } from "./fixtures/raw-upstream.js";

/**
 * A proxy (HTTP_PROXY) that refuses, drops or cannot be reached never let the request reach
 * MetaStudio: the error must say it was the proxy, which one, and what it did, never as if
 * MetaStudio had refused or been silent, and never with the user and password of the proxy's URL.
 * The upstream is the simulator, over http, so undici takes HTTP_PROXY (and asks for a tunnel).
 */
const PROJECT = "0123456789abcdef0123456789abcdef";
const TOKEN = "proxy-test-token";
const USER = "alice-proxy-user";
const PASSWORD = "s3cret-proxy-password";

const closeAfterEach = useCloseAfterEach();
const sockets = new Set<Socket>();
const servers: Array<Server | TcpServer> = [];
let sim: Simulator;
let logs: string[];

beforeEach(async () => {
  sim = closeAfterEach(
    await startSimulator({
      projectIds: [PROJECT],
      roomsPerProject: 5,
      credentials: { accessKeys: {}, tokens: [TOKEN], iamUsers: [] },
    }),
  );
  logs = [];
});
afterEach(async () => {
  vi.unstubAllEnvs();
  // A tunnel or a CONNECT left unanswered keeps its socket open, and close() waits for it.
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** What the proxy does with each CONNECT; `connects` counts them. */
type OnConnect = (req: IncomingMessage, socket: Socket, head: Buffer) => void;

/** A forward proxy on a free port running `onConnect`; its URL, with the user and password. */
async function startProxy(
  onConnect: OnConnect,
): Promise<{ url: string; port: number; connects: () => number }> {
  let connects = 0;
  const server = createServer((_req, res) => res.writeHead(405).end());
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("connect", (req: IncomingMessage, socket: Socket, head: Buffer) => {
    connects += 1;
    socket.on("error", () => undefined);
    onConnect(req, socket, head);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://${USER}:${PASSWORD}@127.0.0.1:${port}`, port, connects: () => connects };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A port that accepts connections and never sends a byte. */
function silentPort(): Promise<number> {
  return tcpPort(() => undefined);
}

/** A port that accepts connections and closes them at once. */
function closingPort(): Promise<number> {
  return tcpPort((socket) => socket.end());
}

/** A TCP server running `onConnection` for each socket (closed after each test); its port. */
const tcpPort = useRawUpstream().listen;

/** The proxy undici will take for the simulator's http:// URL: HTTP_PROXY, and nothing exempt. */
function useProxy(url: string): void {
  vi.stubEnv("HTTP_PROXY", url);
  for (const name of ["http_proxy", "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY"])
    vi.stubEnv(name, undefined);
}

const answer =
  (status: string): OnConnect =>
  (_req, socket) =>
    socket.end(`HTTP/1.1 ${status}\r\nProxy-Authenticate: Basic realm="corp"\r\nContent-Length: 0\r\n\r\n`);

const tunnel: OnConnect = (req, socket, head) => {
  const [host, port] = req.url!.split(":");
  const upstream = connect(Number(port), host, () => {
    socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  sockets.add(upstream);
  upstream.on("error", () => socket.destroy());
};

/** A logger whose lines land in `logs`. */
function logger() {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  return createLogger("debug", sink);
}

function client(maxAttempts = 2): MetaStudioClient {
  return closeAfterEach(
    new MetaStudioClient({
      config: simulatorClientConfig(sim.url, [PROJECT], TOKEN, { maxAttempts, requestTimeoutMs: 3000 }),
      logger: logger(),
      baseDelayMs: 1,
      maxDelayMs: 2,
    }),
  );
}

/** The error one page fails with. */
async function failure(maxAttempts = 2): Promise<MetaStudioError> {
  try {
    await client(maxAttempts).listSmartChatRooms({ projectId: PROJECT, offset: 0, limit: 5 });
  } catch (error) {
    expect(error).toBeInstanceOf(MetaStudioError);
    return error as MetaStudioError;
  }
  throw new Error("expected the request to fail");
}

/** Neither the proxy's user nor its password, anywhere the error or the log can show them. */
function expectNoCredentials(error: unknown): void {
  const basic = Buffer.from(`${USER}:${PASSWORD}`).toString("base64");
  for (const text of [inspect(error, { depth: 10 }), ...logs]) {
    for (const secret of [PASSWORD, USER, basic]) expect(text).not.toContain(secret);
  }
}

const target = () => new URL(sim.url).host;
const scope = `for project ${PROJECT} (no request ID)`;

describe("a proxy that refuses the tunnel", () => {
  it("407: a configuration error naming the proxy and HTTP_PROXY, not retried", async () => {
    const proxy = await startProxy(answer("407 Proxy Authentication Required"));
    useProxy(proxy.url);
    const error = await failure(3);
    expect(error.message).toBe(
      `MetaStudio could not be reached: the proxy 127.0.0.1:${proxy.port} (from HTTP_PROXY) answered 407 Proxy Authentication Required to CONNECT ${target()} ${scope}; check the user name and password in HTTP_PROXY`,
    );
    expect(error).toMatchObject({
      retryable: false,
      status: undefined,
      proxyStatus: 407,
      service: "metastudio",
    });
    expect(proxy.connects()).toBe(1);
    expect(sim.requestsServed).toBe(0);
    expectNoCredentials(error);
  });

  it("407 to a proxy URL without a user: says the variable holds none", async () => {
    const proxy = await startProxy(answer("407 Proxy Authentication Required"));
    useProxy(`http://127.0.0.1:${proxy.port}`);
    const error = await failure();
    expect(error.message).toMatch(
      /; the proxy asks for a user name and password, which HTTP_PROXY does not hold \(http:\/\/user:password@host:port\)$/,
    );
    expect(error.retryable).toBe(false);
  });

  it("403: the proxy's refusal, not MetaStudio's 403, and not retried", async () => {
    const proxy = await startProxy(answer("403 Forbidden"));
    useProxy(proxy.url);
    const error = await failure(3);
    expect(error.message).toBe(
      `MetaStudio could not be reached: the proxy 127.0.0.1:${proxy.port} (from HTTP_PROXY) answered 403 to CONNECT ${target()} ${scope}`,
    );
    // MetaStudio's status stays unknown: a 403 there would make the worker give the project up.
    expect(error).toMatchObject({ retryable: false, status: undefined });
    expectNoCredentials(error);
  });

  it("502: the proxy's bad gateway, retried like a network fault", async () => {
    const proxy = await startProxy(answer("502 Bad Gateway"));
    useProxy(proxy.url);
    const error = await failure(2);
    expect(error.message).toBe(
      `MetaStudio could not be reached: the proxy 127.0.0.1:${proxy.port} (from HTTP_PROXY) answered 502 to CONNECT ${target()} ${scope}; gave up after 2 attempts`,
    );
    // The answer survives the retries' final error, for the worker to judge.
    expect(error).toMatchObject({ retryable: true, attempts: 2, status: undefined, proxyStatus: 502 });
    expect(proxy.connects()).toBe(2);
    expectNoCredentials(error);
  });
});

describe("a proxy that drops the connection", () => {
  // undici retries a CONNECT that failed with UND_ERR_SOCKET at once, forever: one CONNECT per
  // attempt shows that stopped, and the request fails as the proxy's, not as a timeout.
  it("closed without answering CONNECT: named, retried once per attempt", async () => {
    const proxy = await startProxy((_req, socket) => socket.end());
    useProxy(proxy.url);
    const error = await failure(2);
    expect(error.message).toBe(
      `MetaStudio could not be reached: the proxy 127.0.0.1:${proxy.port} (from HTTP_PROXY) closed the connection without answering CONNECT ${target()} (UND_ERR_SOCKET) ${scope}; gave up after 2 attempts`,
    );
    expect(error).toMatchObject({ retryable: true, attempts: 2 });
    expect(proxy.connects()).toBe(2);
    expectNoCredentials(error);
  });

  it("reset without answering CONNECT", async () => {
    const proxy = await startProxy((_req, socket) => socket.resetAndDestroy());
    useProxy(proxy.url);
    const error = await failure(2);
    expect(error.message).toBe(
      `MetaStudio could not be reached: the proxy 127.0.0.1:${proxy.port} (from HTTP_PROXY) reset the connection without answering CONNECT ${target()} (ECONNRESET) ${scope}; gave up after 2 attempts`,
    );
    expect(error.retryable).toBe(true);
    expectNoCredentials(error);
  });

  // What undici could not parse stays in its error's `data`, and a broken proxy can send back our
  // CONNECT, Proxy-Authorization and all: the error keeps no such cause.
  it("answers CONNECT with bytes that are not HTTP: named, without the bytes", async () => {
    const proxy = await startProxy((req, socket) => {
      const headers = req.rawHeaders
        .map((value, i) => (i % 2 === 0 ? `${value}: ` : `${value}\r\n`))
        .join("");
      socket.end(`YOU SENT CONNECT ${req.url}\r\n${headers}\r\n`);
    });
    useProxy(proxy.url);
    const error = await failure(1);
    expect(error.message).toBe(
      `MetaStudio could not be reached: the proxy 127.0.0.1:${proxy.port} (from HTTP_PROXY) answered CONNECT ${target()} with a malformed HTTP response (HTTPParserError: Expected HTTP/, RTSP/ or ICE/) ${scope}`,
    );
    expect(error.cause).toBeUndefined();
    expect(error.retryable).toBe(true);
    expectNoCredentials(error);
  });

  // undici does not end a request on its AbortSignal while the connection is being opened: a
  // proxy that never answers held it for the proxy pool's 300 s headers timeout.
  it("never answers CONNECT: fails at the connect timeout, as the proxy's", async () => {
    const proxy = await startProxy(() => undefined);
    useProxy(proxy.url);
    const error = await agentFailure(200);
    expect(error.message).toBe(
      `MetaStudio could not be reached: the proxy 127.0.0.1:${proxy.port} (from HTTP_PROXY) did not answer CONNECT ${target()} within the connect timeout (UND_ERR_HEADERS_TIMEOUT) ${scope}`,
    );
    expect(error.retryable).toBe(true);
    expectNoCredentials(error);
  });
});

/**
 * One request through an agent whose connect timeout is `connectTimeoutMs`, well under its
 * deadline, and the error it is reported as.
 */
async function agentFailure(connectTimeoutMs: number, endpoint = sim.url): Promise<MetaStudioError> {
  const dispatcher = closeAfterEach(createHttpAgent({ requestTimeoutMs: 10_000, connectTimeoutMs }));
  const url = `${endpoint}/v1/${PROJECT}/smart-chat-rooms?offset=0&limit=5`;
  const signal = AbortSignal.timeout(10_000);
  const thrown = await request(url, { method: "GET", dispatcher, signal }).then(
    () => new Error("expected the request to fail"),
    (error: unknown) => error,
  );
  return errorFromTransport(thrown, { service: "MetaStudio", projectId: PROJECT, timeoutMs: 10_000 });
}

describe("a proxy that cannot be reached", () => {
  it("refused: names the proxy's host and port, not MetaStudio", async () => {
    const port = await closedPort();
    useProxy(`http://${USER}:${PASSWORD}@127.0.0.1:${port}`);
    const error = await failure(2);
    expect(error.message).toBe(
      `MetaStudio could not be reached (ECONNREFUSED) while connecting to the proxy 127.0.0.1:${port} (from HTTP_PROXY) ${scope}; gave up after 2 attempts`,
    );
    expect(error).toMatchObject({ retryable: true, attempts: 2 });
    expect(sim.requestsServed).toBe(0);
    expectNoCredentials(error);
  });

  // The TLS handshake with an https:// proxy that accepts and stays silent: undici gives the
  // proxy's connections a connector of their own, with its 10 s default unless told.
  it("an https proxy whose handshake never ends: the configured connect timeout", async () => {
    const port = await silentPort();
    useProxy(`https://${USER}:${PASSWORD}@127.0.0.1:${port}`);
    const error = await agentFailure(200);
    expect(error.message).toBe(
      `MetaStudio could not be reached (UND_ERR_CONNECT_TIMEOUT) while connecting to the proxy 127.0.0.1:${port} (from HTTP_PROXY) ${scope}`,
    );
    expect((error.cause as Error).message).toContain("timeout: 200ms");
    expect(error.retryable).toBe(true);
    expectNoCredentials(error);
  });

  it("a host name that does not resolve", async () => {
    // .invalid never resolves (RFC 6761).
    useProxy(`http://${USER}:${PASSWORD}@proxy.invalid:3128`);
    const error = await failure(1);
    expect(error.message).toMatch(
      new RegExp(
        `^MetaStudio could not be reached \\((ENOTFOUND|EAI_AGAIN)\\) while connecting to the proxy proxy\\.invalid:3128 \\(from HTTP_PROXY\\) `,
      ),
    );
    expect(error.retryable).toBe(true);
    expectNoCredentials(error);
  });

  it("a proxy URL undici cannot parse: a configuration error without the URL", () => {
    useProxy(`http://${USER}:${PASSWORD}@[not-a-host:3128`);
    let thrown: unknown;
    try {
      client();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ name: "ConfigError" });
    expect((thrown as Error).message).toMatch(
      /^the proxy in HTTP_PROXY is not a URL undici can use \(ERR_INVALID_URL\)/,
    );
    expectNoCredentials(thrown);
  });
});

// The tunnel is open: what fails now is the upstream's TLS, named with the proxy it went through.
describe("an https upstream behind a working proxy", () => {
  it("closes during the TLS handshake inside the tunnel", async () => {
    const proxy = await startProxy(tunnel);
    const upstream = await closingPort();
    useProxy(proxy.url);
    const error = await agentFailure(2000, `https://127.0.0.1:${upstream}`);
    expect(error.message).toBe(
      `MetaStudio closed the connection without answering (ECONNRESET) while connecting to 127.0.0.1:${upstream} through the proxy 127.0.0.1:${proxy.port} (from HTTP_PROXY) ${scope}`,
    );
    expect(error.retryable).toBe(true);
    expectNoCredentials(error);
  });

  it("never completes the TLS handshake: the configured connect timeout", async () => {
    const proxy = await startProxy(tunnel);
    const upstream = await silentPort();
    useProxy(proxy.url);
    const error = await agentFailure(200, `https://127.0.0.1:${upstream}`);
    expect(error.message).toBe(
      `MetaStudio could not be reached (UND_ERR_CONNECT_TIMEOUT) while connecting to 127.0.0.1:${upstream} through the proxy 127.0.0.1:${proxy.port} (from HTTP_PROXY) ${scope}`,
    );
    expect((error.cause as Error).message).toContain("timeout: 200ms");
    expectNoCredentials(error);
  });
});

describe("IAM behind the proxy", () => {
  it("a 407 to IAM's tunnel names the proxy, not IAM's refusal", async () => {
    const proxy = await startProxy(answer("407 Proxy Authentication Required"));
    useProxy(proxy.url);
    const iam = closeAfterEach(
      new MetaStudioClient({
        config: simulatorClientConfig(sim.url, [PROJECT], TOKEN, {
          maxAttempts: 3,
          auth: {
            kind: "iam-password",
            iamEndpoint: sim.url,
            domain: "acme",
            username: "bot",
            password: "pw",
          },
        }),
        logger: logger(),
        baseDelayMs: 1,
        maxDelayMs: 2,
      }),
    );
    const error = await iam.listSmartChatRooms({ projectId: PROJECT, offset: 0, limit: 5 }).then(
      () => new Error("expected the request to fail"),
      (thrown: unknown) => thrown,
    );
    expect(error).toMatchObject({
      message: `IAM could not be reached: the proxy 127.0.0.1:${proxy.port} (from HTTP_PROXY) answered 407 Proxy Authentication Required to CONNECT ${target()} for a token for project ${PROJECT} (no request ID); check the user name and password in HTTP_PROXY`,
      service: "iam",
      retryable: false,
    });
    expect(proxy.connects()).toBe(1);
    expectNoCredentials(error);
  });
});

describe("a proxy that works", () => {
  it("still carries the pages, with its user and password sent to it", async () => {
    let authorization: string | undefined;
    const proxy = await startProxy((req, socket, head) => {
      authorization = req.headers["proxy-authorization"];
      tunnel(req, socket, head);
    });
    useProxy(proxy.url);
    const page = await client().listSmartChatRooms({ projectId: PROJECT, offset: 0, limit: 5 });
    expect(page.rooms).toHaveLength(5);
    expect(authorization).toBe(`Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`);
    expect(proxy.connects()).toBe(1);
  });
});

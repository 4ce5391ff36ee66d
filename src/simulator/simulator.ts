import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

import { checkChurn, NO_CHURN, type Churn } from "./churn.js";
import { HostileAnswers } from "./hostile-answers.js";
import { validateListQuery } from "./list-query.js";
import { createPrng } from "./prng.js";
import type { ListBehaviour } from "./room-store.js";
import { SimulatorAuth, type SimulatorCredentials } from "./simulator-auth.js";
import { UpstreamProjects, type ChangeCounts } from "./upstream-projects.js";

export type { ChangeCounts, Churn, SimulatorCredentials };

export interface SimulatorBehaviour extends ListBehaviour {
  /** Added to every response. @default 0 */
  latencyMs: number;
  /** Share of list requests answered 500 `MSS.00000004`. @default 0 */
  error5xxRate: number;
  /** Share answered 429 `APIGW.0308` with `Retry-After`. @default 0 */
  throttleRate: number;
  /** @default 1 */
  retryAfterSeconds: number;
  /** Requests per second (the whole simulator, like a tenant) beyond which 429s come. @default undefined */
  rateLimitPerSecond: number | undefined;
  /** Share of connections destroyed without an answer. @default 0 */
  resetRate: number;
  /** Share of 200 bodies cut short: full Content-Length, half the bytes. @default 0 */
  truncateRate: number;
  /** Rooms created, updated and deleted just before each list response is computed. @default 0 each */
  mutationsPerRequest: { create: number; update: number; delete: number };
  /**
   * A steady stream of creations, edits and deletions at a rate per request and/or per second,
   * drawn from a PRNG of its own (see Churn). @default no churn
   */
  churn: Churn;
  /**
   * How far the upstream's clock is ahead of ours (negative: behind). Every time it stamps on a
   * room it creates or edits, its IAM and signature checks, and its `Date` header use our clock
   * plus this. @default 0
   */
  clockOffsetSeconds: number;
  /** Lifetime of issued IAM tokens. @default 86400 */
  tokenTtlSeconds: number;
  /** `X-Sdk-Date` tolerance. @default 900 */
  maxSkewSeconds: number;
}

export interface SimulatorOptions {
  projectIds: string[];
  /** @default 1000 */
  roomsPerProject?: number;
  /** Same seed and size, same dataset. @default 1 */
  seed?: number;
  credentials: SimulatorCredentials;
  /** @default "127.0.0.1" */
  host?: string;
  /** @default 0 (a free port) */
  port?: number;
  behaviour?: Partial<SimulatorBehaviour>;
  /** Our clock; the upstream's is this plus `clockOffsetSeconds`. @default the real time */
  now?: () => Date;
  /**
   * Requests `requests` keeps, the newest: a simulator serving a long drill or a 1M-room bench
   * must not grow without end. @default 50000
   */
  maxLoggedRequests?: number;
}

export interface SimulatorRequestLog {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  requestId: string;
  projectId: string | undefined;
  /** Lower-cased; credentials replaced by "[redacted]". */
  headers: Record<string, string>;
}

export interface Simulator {
  /** Base URL, also the IAM endpoint. */
  url: string;
  close(): Promise<void>;
  setBehaviour(patch: Partial<SimulatorBehaviour>): void;
  /** The upstream's current rooms, as the API returns them (copies). */
  rooms(projectId: string): Record<string, unknown>[];
  createRoom(projectId: string, fields?: Record<string, unknown>): Record<string, unknown>;
  /** Applies `fields` and moves `update_time` to the upstream's now, unless `fields` sets it. */
  updateRoom(projectId: string, roomId: string, fields?: Record<string, unknown>): Record<string, unknown>;
  deleteRoom(projectId: string, roomId: string): void;
  /**
   * Every room ID the upstream ever deleted in this project (by deleteRoom, churn or
   * `mutationsPerRequest`), even if it came back since: a `deleted` change recorded for any
   * other room is a phantom.
   */
  deletedRoomIds(projectId: string): Set<string>;
  /** Rooms the upstream created, edited and deleted by itself (churn and `mutationsPerRequest`). */
  changeCounts(projectId: string): ChangeCounts;
  /** The upstream's clock: ours plus `clockOffsetSeconds`. */
  upstreamNow(): Date;
  /** A raw, possibly malformed, item served like a room. */
  injectItem(projectId: string, item: unknown): void;
  /** The newest requests (see SimulatorOptions.maxLoggedRequests). */
  readonly requests: SimulatorRequestLog[];
  /** Every request answered since start, however many the log still keeps. */
  readonly requestsServed: number;
  /** Scripted hostile answers (see HostileAnswers), served before anything else. */
  readonly hostile: HostileAnswers;
  readonly issuedTokens: number;
  revokeTokens(): void;
}

const DEFAULTS: SimulatorBehaviour = {
  timeFilterField: "update_time",
  endTimeInclusive: true,
  order: "update_time_desc",
  unstableOrder: false,
  latencyMs: 0,
  error5xxRate: 0,
  throttleRate: 0,
  retryAfterSeconds: 1,
  rateLimitPerSecond: undefined,
  resetRate: 0,
  truncateRate: 0,
  mutationsPerRequest: { create: 0, update: 0, delete: 0 },
  churn: NO_CHURN,
  clockOffsetSeconds: 0,
  tokenTtlSeconds: 86_400,
  maxSkewSeconds: 900,
};

const LIST_PATH = /^\/v1\/([^/]+)\/smart-chat-rooms\/?$/;

/**
 * The documented `GET /v1/{project_id}/smart-chat-rooms` and IAM's `POST /v3/auth/tokens`, over
 * real HTTP, faithful by default and hostile on request (every fault drawn from a seeded PRNG,
 * so a failing test fails the same way twice).
 */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const seed = options.seed ?? 1;
  const now = options.now ?? (() => new Date());
  const random = createPrng(seed ^ 0x5eed);
  const behaviour: SimulatorBehaviour = { ...DEFAULTS, ...options.behaviour };
  checkChurn(behaviour.churn);
  const upstreamNow = () => new Date(now().getTime() + behaviour.clockOffsetSeconds * 1000);
  const projects = new UpstreamProjects(
    options.projectIds,
    options.roomsPerProject ?? 1000,
    seed,
    random,
    upstreamNow,
  );
  const store = (projectId: string) => projects.store(projectId);
  const auth = new SimulatorAuth(options.credentials, upstreamNow);
  const requests: SimulatorRequestLog[] = [];
  const maxLogged = options.maxLoggedRequests ?? 50_000;
  let served = 0;
  const sockets = new Set<Socket>();
  const hostile = new HostileAnswers();
  let windowStart = 0;
  let windowCount = 0;

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent)
        send(response, 500, { error_code: "MSS.00000004", error_msg: String(error) });
    });
  });

  const send = (
    response: ServerResponse,
    status: number,
    body: unknown,
    extra: Record<string, string> = {},
  ) => {
    const text = JSON.stringify(body);
    response.writeHead(status, {
      "Content-Type": "application/json;charset=UTF-8",
      "Content-Length": Buffer.byteLength(text),
      ...extra,
    });
    response.end(text);
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID().replace(/-/g, "");
    response.setHeader("X-Request-Id", requestId);
    // Node would send our clock; a real upstream sends its own, the one client can measure skew by.
    response.setHeader("Date", upstreamNow().toUTCString());
    const url = new URL(request.url ?? "/", "http://simulator");
    const match = LIST_PATH.exec(url.pathname);
    const projectId = match ? decodeURIComponent(match[1]!) : undefined;
    const log: SimulatorRequestLog = {
      method: request.method ?? "GET",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      requestId,
      projectId,
      headers: redacted(request),
    };
    requests.push(log);
    served += 1;
    // Trimmed in chunks (a tenth of the bound at a time), so each request costs no array shift.
    if (requests.length > maxLogged + Math.ceil(maxLogged / 10))
      requests.splice(0, requests.length - maxLogged);
    const reply = (status: number, body: unknown, extra?: Record<string, string>) => {
      log.status = status;
      send(response, status, body, extra);
    };
    if (behaviour.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, behaviour.latencyMs));

    if (request.method === "GET" && url.pathname === "/healthz") return reply(200, { status: "ok" });
    const route = request.method === "POST" ? "iam" : projectId === undefined ? undefined : "list";
    const scripted = route === undefined ? undefined : hostile.serve(route, response);
    if (scripted !== undefined) {
      log.status = scripted;
      return;
    }
    if (request.method === "POST" && url.pathname === "/v3/auth/tokens") {
      const body = await readJson(request);
      if (body === TOO_LARGE)
        // The rest of the body is not read: the connection closes after this answer.
        return reply(
          413,
          { error: { code: "APIGW.0201", message: "Request entity too large" } },
          { Connection: "close" },
        );
      const issued = auth.issue(body, behaviour.tokenTtlSeconds);
      if (!issued) {
        return reply(401, {
          error: { code: "IAM.0005", message: "The username or password is wrong.", title: "Unauthorized" },
        });
      }
      log.status = 201;
      const text = JSON.stringify({
        token: {
          expires_at: issued.expiresAt.toISOString(),
          issued_at: issued.issuedAt.toISOString(),
          methods: ["password"],
        },
      });
      response.writeHead(201, {
        "Content-Type": "application/json;charset=UTF-8",
        "X-Subject-Token": issued.token,
      });
      response.end(text);
      return;
    }
    if (request.method !== "GET" || projectId === undefined) {
      return reply(404, {
        error_code: "APIGW.0101",
        error_msg: "The API does not exist or has not been published",
      });
    }

    if (random() < behaviour.resetRate) {
      log.status = -1;
      request.socket.destroy();
      return;
    }
    const second = Math.floor(now().getTime() / 1000);
    if (second !== windowStart) {
      windowStart = second;
      windowCount = 0;
    }
    windowCount += 1;
    const overLimit =
      behaviour.rateLimitPerSecond !== undefined && windowCount > behaviour.rateLimitPerSecond;
    if (overLimit || random() < behaviour.throttleRate) {
      return reply(
        429,
        { error_code: "APIGW.0308", error_msg: "The throttling threshold has been reached" },
        { "Retry-After": String(behaviour.retryAfterSeconds) },
      );
    }
    const refused = auth.check(request, projectId, behaviour.maxSkewSeconds);
    if (refused) return reply(401, { error_code: "MSS.00000001", error_msg: `Unauthorized: ${refused}` });
    // An unknown project answers like a resource the caller cannot see; 404 keeps it distinct from auth.
    if (!projects.has(projectId))
      return reply(404, { error_code: "MSS.00000002", error_msg: "Project not found" });
    const query = validateListQuery(url.searchParams);
    if (typeof query === "string") {
      return reply(400, { error_code: "MSS.00000003", error_msg: `Invalid parameter: ${query}` });
    }
    if (random() < behaviour.error5xxRate)
      return reply(500, { error_code: "MSS.00000004", error_msg: "Internal Error" });

    projects.beforeList(projectId, behaviour.mutationsPerRequest, behaviour.churn, now().getTime());
    const result = store(projectId).list(query, behaviour, random);
    // The page is each item's kept text (ItemTexts): the bytes JSON.stringify of the whole
    // answer gives (it writes NaN or an infinite total as null, so the totals go through it).
    const body = Buffer.concat([
      Buffer.from(
        `{"count":${result.count},"count_concurrency":${JSON.stringify(result.countConcurrency)},` +
          `"count_client_nums":${JSON.stringify(result.countClientNums)},` +
          `"count_client_nums_token":${JSON.stringify(result.countClientNumsToken)},"smart_chat_rooms":`,
      ),
      result.pageText,
      Buffer.from("}"),
    ]);
    log.status = 200;
    response.writeHead(200, {
      "Content-Type": "application/json;charset=UTF-8",
      "Content-Length": body.length,
    });
    if (random() < behaviour.truncateRate) {
      log.status = -200;
      // Headers promise the whole body; the socket ends halfway, as a dropped connection would.
      response.write(body.subarray(0, Math.floor(body.length / 2)));
      setImmediate(() => request.socket.destroy());
      return;
    }
    response.end(body);
  }

  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
    setBehaviour: (patch) => {
      if (patch.churn) {
        checkChurn(patch.churn);
        // A rate set now owes nothing for the time before it.
        projects.resetChurnClock();
      }
      Object.assign(behaviour, patch);
    },
    rooms: (projectId) =>
      store(projectId)
        .items()
        .map((item) => structuredClone(item) as Record<string, unknown>),
    createRoom: (projectId, fields) => structuredClone(projects.create(projectId, fields)),
    updateRoom: (projectId, roomId, fields) => structuredClone(projects.update(projectId, roomId, fields)),
    deleteRoom: (projectId, roomId) => {
      if (!projects.delete(projectId, roomId)) throw new Error(`no room ${roomId} in project ${projectId}`);
    },
    deletedRoomIds: (projectId) => projects.deletedIds(projectId),
    changeCounts: (projectId) => projects.changeCounts(projectId),
    upstreamNow,
    injectItem: (projectId, item) => store(projectId).inject(item),
    requests,
    get requestsServed() {
      return served;
    },
    hostile,
    get issuedTokens() {
      return auth.issuedCount;
    },
    revokeTokens: () => auth.revokeAll(),
  };
}

function redacted(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name] = SECRET_HEADERS.has(name) ? "[redacted]" : String(value);
  }
  return headers;
}

const SECRET_HEADERS = new Set(["authorization", "x-auth-token", "x-security-token"]);

/** IAM's request body is a few hundred bytes; a larger one is refused unread. */
const MAX_BODY_BYTES = 64 * 1024;
const TOO_LARGE = Symbol("too large");

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of request) {
    bytes += (chunk as Buffer).length;
    if (bytes > MAX_BODY_BYTES) return TOO_LARGE;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return null;
  }
}

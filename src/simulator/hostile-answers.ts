import type { ServerResponse } from "node:http";

import { sendJson } from "./send-json.js";

/**
 * Answers an attacker or a broken upstream would give, scripted by tests and drills: the
 * simulator serves them instead of its own answer, once each in order, or for every request.
 */
export type HostileAnswer =
  /** Any status, headers and JSON body, e.g. a 429 asking to wait ten hours. */
  | { kind: "status"; status: number; headers?: Record<string, string>; body: unknown }
  /** A 200 with any JSON body, e.g. a page whose `count` lies. */
  | { kind: "page"; body: unknown }
  /** A 200 with this exact text, for what JSON.stringify cannot make (nesting 100k deep). */
  | { kind: "text"; body: string }
  /**
   * A 200 page of `bytes` bytes, streamed without being held; `declareLength` sends a truthful
   * Content-Length, otherwise it is chunked and the size shows only while reading.
   */
  | { kind: "oversized"; bytes: number; declareLength?: boolean }
  /** A 200 whose chunked body never ends; it stops only when the client hangs up. */
  | { kind: "endless" }
  /**
   * These exact bytes on the socket instead of an HTTP answer, then the connection closed: what a
   * broken proxy sends (a status line that is not HTTP, a header with bytes no header may hold, a
   * Content-Length that is not a number), which Node's HTTP writer refuses to produce. Each
   * character is one byte (latin1), so any byte can be scripted.
   */
  | { kind: "raw"; bytes: string };

/** Which exchange an answer replaces: a list page, or IAM's token request. */
export type HostileRoute = "list" | "iam";

const CHUNK = Buffer.from(`{"room_id":"${"x".repeat(40)}","room_name":"${"y".repeat(400)}"},`);
const HEAD = '{"count":1,"smart_chat_rooms":[';
const TAIL = '{"room_id":"last"}]}';

export class HostileAnswers {
  private readonly queued: Record<HostileRoute, HostileAnswer[]> = { list: [], iam: [] };
  private readonly standing: Partial<Record<HostileRoute, HostileAnswer>> = {};
  /** Bytes written by oversized and endless answers, for drills that report them. */
  bytesSent = 0;

  /** Serves `answer` for the next request of `route` (after those already queued). */
  once(route: HostileRoute, answer: HostileAnswer): void {
    this.queued[route].push(answer);
  }

  /** Serves `answer` for every request of `route` once the queue is empty, until `clear`. */
  always(route: HostileRoute, answer: HostileAnswer): void {
    this.standing[route] = answer;
  }

  clear(): void {
    this.queued.list.length = 0;
    this.queued.iam.length = 0;
    delete this.standing.list;
    delete this.standing.iam;
  }

  /**
   * Answers with the next scripted answer; the status served (0 for a raw answer, which may have
   * none), or undefined when none is due.
   */
  serve(route: HostileRoute, response: ServerResponse): number | undefined {
    const answer = this.queued[route].shift() ?? this.standing[route];
    if (answer === undefined) return undefined;
    switch (answer.kind) {
      case "status":
        sendJson(response, answer.status, answer.body, answer.headers);
        return answer.status;
      case "page":
        sendJson(response, 200, answer.body);
        return 200;
      case "text":
        return text(response, answer.body);
      case "oversized":
        void this.stream(response, answer.bytes, answer.declareLength ?? false);
        return 200;
      case "endless":
        void this.stream(response, Number.POSITIVE_INFINITY, false);
        return 200;
      case "raw":
        // Past the ServerResponse: the headers it already holds (X-Request-Id, Date) are never sent.
        response.socket?.end(Buffer.from(answer.bytes, "latin1"));
        return 0;
    }
  }

  /** Writes a page of `bytes` bytes, honouring backpressure so the simulator's memory stays flat. */
  private async stream(response: ServerResponse, bytes: number, declareLength: boolean): Promise<void> {
    const headers: Record<string, string | number> = { "Content-Type": "application/json;charset=UTF-8" };
    if (declareLength) headers["Content-Length"] = bytes;
    response.writeHead(200, headers);
    let left = bytes - HEAD.length - TAIL.length;
    response.write(HEAD);
    while (left > 0 && !response.destroyed) {
      const chunk = left >= CHUNK.length ? CHUNK : Buffer.alloc(left, " ");
      left -= chunk.length;
      this.bytesSent += chunk.length;
      if (!response.write(chunk)) {
        // Both listeners go once either fires: one left behind per wait piles up over a long body.
        await new Promise<void>((resolve) => {
          const done = () => {
            response.off("drain", done);
            response.off("close", done);
            resolve();
          };
          response.on("drain", done);
          response.on("close", done);
        });
      }
    }
    if (!response.destroyed) response.end(TAIL);
  }
}

function text(response: ServerResponse, body: string): number {
  response.writeHead(200, {
    "Content-Type": "application/json;charset=UTF-8",
    "Content-Length": Buffer.byteLength(body),
  });
  response.end(body);
  return 200;
}

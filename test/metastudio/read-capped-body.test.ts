import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { Agent } from "undici";
import { afterAll, afterEach, describe, expect, it } from "vitest";

import { BodyTooLargeError, readCappedBody } from "../../src/metastudio/read-capped-body.js";
import { request } from "../../src/metastudio/undici.js";

let server: Server | undefined;
const dispatcher = new Agent();
afterAll(() => dispatcher.close());
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/**
 * A server answering every request with `size` bytes in one write, its length declared or (with
 * `chunked`) not.
 */
async function serveBody(size: number, { chunked = false } = {}): Promise<string> {
  server = createServer((_request, response) => {
    const length: Record<string, number> = chunked ? {} : { "Content-Length": size };
    response.writeHead(200, { "Content-Type": "application/json", ...length });
    response.end(Buffer.alloc(size, 0x20));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

/** Errors nothing handled while `work` ran and a few turns of the event loop after it. */
async function uncaughtDuring(work: () => Promise<void>): Promise<unknown[]> {
  const uncaught: unknown[] = [];
  const listener = (error: unknown) => uncaught.push(error);
  // Vitest reports an uncaught error as a failed run; this records it for the assertion instead.
  const previous = process.listeners("uncaughtException");
  process.removeAllListeners("uncaughtException");
  process.on("uncaughtException", listener);
  try {
    await work();
    for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    process.off("uncaughtException", listener);
    for (const restore of previous) process.on("uncaughtException", restore);
  }
  return uncaught;
}

describe("readCappedBody", () => {
  it("refuses a declared length over the limit without an error nobody handles, however much of the body arrived", async () => {
    const url = await serveBody(50_000);
    const uncaught = await uncaughtDuring(async () => {
      for (let i = 0; i < 3; i += 1) {
        const response = await request(url, { method: "GET", dispatcher });
        // The whole body is on the socket before the refusal: the case that crashed the process.
        await new Promise((resolve) => setTimeout(resolve, 50));
        const declared = Number(response.headers["content-length"]);
        await expect(readCappedBody(response.body, 10_000, declared)).rejects.toBeInstanceOf(
          BodyTooLargeError,
        );
      }
    });
    expect(uncaught).toEqual([]);
  });

  it("drops an undeclared body at the limit without an error nobody handles", async () => {
    const url = await serveBody(50_000, { chunked: true });
    const uncaught = await uncaughtDuring(async () => {
      for (let i = 0; i < 3; i += 1) {
        const response = await request(url, { method: "GET", dispatcher });
        await new Promise((resolve) => setTimeout(resolve, 50));
        await expect(readCappedBody(response.body, 10_000, undefined)).rejects.toBeInstanceOf(
          BodyTooLargeError,
        );
      }
    });
    expect(uncaught).toEqual([]);
  });

  it("reads a body within the limit whole", async () => {
    const url = await serveBody(5_000);
    const response = await request(url, { method: "GET", dispatcher });
    const bytes = await readCappedBody(response.body, 10_000, Number(response.headers["content-length"]));
    expect(bytes).toHaveLength(5_000);
  });
});

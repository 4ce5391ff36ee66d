import type { IncomingMessage } from "node:http";

import { reply, type Exchange } from "./exchange.js";
import type { SimulatorAuth } from "./simulator-auth.js";
import type { SimulatorBehaviour } from "./simulator-behaviour.js";

/** IAM's request body is a few hundred bytes; a larger one is refused unread. */
const MAX_BODY_BYTES = 64 * 1024;
const TOO_LARGE = Symbol("too large");

/** IAM's `POST /v3/auth/tokens`: a project-scoped token in `X-Subject-Token`, or a 401. */
export async function answerTokenRequest(
  exchange: Exchange,
  auth: SimulatorAuth,
  behaviour: Pick<SimulatorBehaviour, "tokenTtlSeconds">,
): Promise<void> {
  const body = await readJson(exchange.request);
  if (body === TOO_LARGE)
    // The rest of the body is not read: the connection closes after this answer.
    return reply(
      exchange,
      413,
      { error: { code: "APIGW.0201", message: "Request entity too large" } },
      { Connection: "close" },
    );
  const issued = auth.issue(body, behaviour.tokenTtlSeconds);
  if (!issued) {
    return reply(exchange, 401, {
      error: { code: "IAM.0005", message: "The username or password is wrong.", title: "Unauthorized" },
    });
  }
  // With its Content-Length, as real IAM sends it: this answer once went out chunked.
  return reply(
    exchange,
    201,
    {
      token: {
        expires_at: issued.expiresAt.toISOString(),
        issued_at: issued.issuedAt.toISOString(),
        methods: ["password"],
      },
    },
    { "X-Subject-Token": issued.token },
  );
}

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

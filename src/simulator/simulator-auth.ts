import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";

import { verifyRequestSignature } from "../metastudio/signer.js";

export interface SimulatorCredentials {
  /** AK -> SK pairs accepted for AK/SK signing. */
  accessKeys: Record<string, string>;
  /** Tokens accepted as `X-Auth-Token` for every project. */
  tokens: string[];
  /** Users accepted at `POST /v3/auth/tokens`. */
  iamUsers: Array<{ domain: string; username: string; password: string }>;
}

interface IssuedToken {
  projectId: string;
  expiresAt: number;
}

/** What the gateway and IAM check, as far as the client can tell the difference. */
export class SimulatorAuth {
  private readonly issued = new Map<string, IssuedToken>();
  issuedCount = 0;

  constructor(
    private readonly credentials: SimulatorCredentials,
    private readonly now: () => Date,
  ) {}

  /** Null when the request may go on, else why it is refused (for the 401's error_msg). */
  check(request: IncomingMessage, projectId: string, maxSkewSeconds: number): string | null {
    const headers = flatten(request.headers);
    const token = headers["x-auth-token"];
    if (token !== undefined) {
      if (this.credentials.tokens.includes(token)) return null;
      const issued = this.issued.get(token);
      if (!issued) return "APIG.0301 Incorrect IAM authentication information: token invalid";
      if (issued.expiresAt <= this.now().getTime())
        return "APIG.0301 Incorrect IAM authentication information: token expired";
      if (issued.projectId !== projectId) return "APIG.0301 token not scoped to this project";
      return null;
    }
    if (headers.authorization !== undefined) {
      if (headers["x-project-id"] !== projectId)
        return "APIG.0301 X-Project-Id missing or not the path's project";
      const result = verifyRequestSignature(
        {
          method: request.method ?? "GET",
          url: `http://${headers.host ?? "localhost"}${request.url ?? "/"}`,
          headers,
        },
        (ak) => this.credentials.accessKeys[ak],
        this.now(),
        maxSkewSeconds * 1000,
      );
      return result.ok ? null : `APIG.0301 Incorrect app authentication information: ${result.reason}`;
    }
    return "APIG.0301 no credentials: neither X-Auth-Token nor Authorization";
  }

  /** `POST /v3/auth/tokens`: a project-scoped token for a known user and password. */
  issue(body: unknown, ttlSeconds: number): { token: string; expiresAt: Date; issuedAt: Date } | null {
    const auth = (body as { auth?: AuthBody } | null)?.auth;
    const user = auth?.identity?.password?.user;
    const projectId = auth?.scope?.project?.id;
    const known = this.credentials.iamUsers.some(
      (u) => u.username === user?.name && u.password === user?.password && u.domain === user?.domain?.name,
    );
    if (!known || typeof projectId !== "string") return null;
    const token = `MII${randomBytes(48).toString("base64url")}`;
    const issuedAt = this.now();
    const expiresAt = new Date(issuedAt.getTime() + ttlSeconds * 1000);
    this.issued.set(token, { projectId, expiresAt: expiresAt.getTime() });
    this.issuedCount += 1;
    return { token, expiresAt, issuedAt };
  }

  revokeAll(): void {
    this.issued.clear();
  }
}

interface AuthBody {
  identity?: { password?: { user?: { name?: string; password?: string; domain?: { name?: string } } } };
  scope?: { project?: { id?: string } };
}

function flatten(headers: IncomingMessage["headers"]): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

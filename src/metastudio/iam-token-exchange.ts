import { MetaStudioError } from "./metastudio-error.js";
import { errorFromResponse, readErrorBody, type ExchangeContext } from "./response-error.js";

/** Who asks IAM for a token: the password user of one domain (account). */
export interface IamUser {
  domain: string;
  username: string;
  password: string;
}

/**
 * The body of `POST /v3/auth/tokens`: a password login scoped to the project, since MetaStudio
 * checks that the token's project is the one in the path.
 */
export function tokenRequestBody(user: IamUser, projectId: string): string {
  const { domain, username, password } = user;
  return JSON.stringify({
    auth: {
      identity: {
        methods: ["password"],
        password: { user: { name: username, password, domain: { name: domain } } },
      },
      scope: { project: { id: projectId } },
    },
  });
}

/** IAM's answer, read to its last byte. */
export interface TokenAnswer {
  status: number;
  /** `X-Request-Id`, already clipped: it is stored and shown. */
  requestId: string | undefined;
  body: string;
  /** `X-Subject-Token`: the token itself travels in a header, not in the body. */
  token: string | undefined;
}

export type TokenAnswerReading =
  | { ok: true; token: string }
  /** `errorCode` is IAM's own (for the log line), when its error body named one. */
  | { ok: false; error: MetaStudioError; errorCode: string | undefined };

/** The token, or the error to reject with. Pure: the provider requests, caches and logs. */
export function readTokenAnswer(
  answer: TokenAnswer,
  context: ExchangeContext & { secrets: readonly string[] },
): TokenAnswerReading {
  const { status, requestId, body } = answer;
  if (status < 200 || status > 299) {
    const errorCode = readErrorBody(body, context.secrets).code;
    const error = errorFromResponse({ ...context, status, requestId, body, retryAfterMs: undefined });
    return { ok: false, error, errorCode };
  }
  if (!answer.token) {
    const error = new MetaStudioError({
      message: `IAM answered ${status} without an X-Subject-Token for project ${context.projectId} (request ${requestId ?? "unknown"})`,
      status,
      requestId,
      retryable: false,
      service: "iam",
    });
    return { ok: false, error, errorCode: undefined };
  }
  return { ok: true, token: answer.token };
}

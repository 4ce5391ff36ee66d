import type { Dispatcher } from "undici";

import type { AuthConfig } from "../config/config.js";
import type { Logger } from "../logger.js";
import { IamTokenProvider } from "./iam-token-provider.js";
import { signRequest } from "./signer.js";

/** Adds credentials to one upstream request, whichever of the three ways is configured. */
export interface RequestAuth {
  /** Headers to add to a request that already carries `headers`; AK/SK signs them all. */
  headers(
    request: { method: string; url: URL; projectId: string; headers: Record<string, string> },
    signal?: AbortSignal,
  ): Promise<Record<string, string>>;
  /** After a 401: true when a fresh credential may help (an IAM token), having dropped the old one. */
  renew(projectId: string): boolean;
}

export function createRequestAuth(
  auth: AuthConfig,
  options: { dispatcher: Dispatcher; timeoutMs: number; logger: Logger },
): RequestAuth {
  switch (auth.kind) {
    case "aksk": {
      const credentials = { accessKey: auth.accessKey, secretKey: auth.secretKey };
      return {
        headers: (request) => {
          // The gateway checks the signed X-Project-Id against the path, so it is set before signing.
          const withProject = { ...request.headers, "X-Project-Id": request.projectId };
          const signed = signRequest(
            { method: request.method, url: request.url, headers: withProject },
            credentials,
          );
          return Promise.resolve({ "X-Project-Id": request.projectId, ...signed });
        },
        renew: () => false,
      };
    }
    case "token":
      return { headers: () => Promise.resolve({ "X-Auth-Token": auth.token }), renew: () => false };
    case "iam-password": {
      const provider = new IamTokenProvider(auth, options);
      return {
        headers: async (request, signal) => ({
          "X-Auth-Token": await provider.token(request.projectId, signal),
        }),
        renew: (projectId) => {
          provider.invalidate(projectId);
          return true;
        },
      };
    }
  }
}

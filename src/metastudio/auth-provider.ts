import type { Dispatcher } from "./undici.js";

import type { AuthConfig } from "../config/config.js";
import type { Logger } from "../logger.js";
import { IamTokenProvider } from "./iam-token-provider.js";
import { signRequest } from "./signer.js";

/** A request about to be sent, as far as authentication needs to see it. */
export interface OutgoingRequest {
  method: string;
  url: URL;
  projectId: string;
  /** Headers already set; AK/SK signs every one of them, so nothing may be added after. */
  headers: Record<string, string>;
}

/** What one attempt sends; `token` identifies the credential used, for `invalidate`. */
export interface Authorization {
  /** Headers to add: never logged, since they are the credential. */
  headers: Record<string, string>;
  token?: string;
}

/** Adds credentials to upstream requests, whichever of the three ways is configured. */
export interface AuthProvider {
  /** Called on every attempt, so an AK/SK signature always carries a fresh `X-Sdk-Date`. */
  authorize(request: OutgoingRequest, signal?: AbortSignal): Promise<Authorization>;
  /**
   * MetaStudio answered 401 to `authorization`. Drops it when a fresh one can be obtained (an IAM
   * token) and returns true; false when the same credential would only be refused again.
   */
  invalidate(projectId: string, authorization: Authorization): boolean;
}

export interface AuthProviderOptions {
  /** For IAM's token requests: the same pool and proxy settings as MetaStudio's. */
  dispatcher: Dispatcher;
  /** Deadline of one IAM token request. */
  timeoutMs: number;
  logger: Logger;
  /** Largest IAM response body read. @default 33554432 (32 MB) */
  maxBodyBytes?: number | undefined;
}

/**
 * AK/SK: the gateway checks a signed `X-Project-Id` against the path, so it is set before signing.
 * A temporary AK/SK's security token goes in `X-Security-Token`, added before signing (and so
 * signed) as huaweicloud-sdk-core's `addAuthHeaders` does.
 */
function akskProvider(accessKey: string, secretKey: string, securityToken: string | undefined): AuthProvider {
  const credentials = { accessKey, secretKey };
  return {
    authorize: (request) => {
      const extra: Record<string, string> = { "X-Project-Id": request.projectId };
      if (securityToken !== undefined) extra["X-Security-Token"] = securityToken;
      const headers = { ...request.headers, ...extra };
      const signed = signRequest({ method: request.method, url: request.url, headers }, credentials);
      return Promise.resolve({ headers: { ...extra, ...signed } });
    },
    invalidate: () => false,
  };
}

/** A ready token: nothing to renew it from, so a 401 is final. */
function tokenProvider(token: string): AuthProvider {
  return {
    authorize: () => Promise.resolve({ headers: { "X-Auth-Token": token } }),
    invalidate: () => false,
  };
}

/** Tokens from a password, per project, renewed before expiry and once after a 401. */
function iamProvider(provider: IamTokenProvider): AuthProvider {
  return {
    authorize: async (request, signal) => {
      const token = await provider.token(request.projectId, signal);
      return { headers: { "X-Auth-Token": token }, token };
    },
    invalidate: (projectId, authorization) => {
      if (authorization.token === undefined) return false;
      provider.invalidate(projectId, authorization.token);
      return true;
    },
  };
}

/** The provider for the configured way; exactly one is configured (see `loadConfig`). */
export function createAuthProvider(auth: AuthConfig, options: AuthProviderOptions): AuthProvider {
  switch (auth.kind) {
    case "aksk":
      return akskProvider(auth.accessKey, auth.secretKey, auth.securityToken);
    case "token":
      return tokenProvider(auth.token);
    case "iam-password":
      return iamProvider(
        new IamTokenProvider(
          {
            iamEndpoint: auth.iamEndpoint,
            domain: auth.domain,
            username: auth.username,
            password: auth.password,
            source: auth.source,
            endpointSource: auth.endpointSource,
          },
          options,
        ),
      );
  }
}

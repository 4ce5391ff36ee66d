import type { UpstreamLimits } from "./read-upstream-limits.js";

/** How requests to MetaStudio are authenticated; exactly one, chosen from what is configured. */
export type AuthConfig =
  | {
      kind: "aksk";
      accessKey: string;
      secretKey: string;
      /** Temporary AK/SK: sent, and signed, as `X-Security-Token`, as the official SDKs do. */
      securityToken?: string | undefined;
    }
  | { kind: "token"; token: string }
  | {
      kind: "iam-password";
      iamEndpoint: string;
      domain: string;
      username: string;
      password: string;
      /**
       * Where domain, user name and password are set, as the error of IAM refusing them names it
       * (`account "cn" (iam.domain, iam.username, iam.password) in accounts.yaml`); undefined for
       * the HUAWEICLOUD_IAM_* variables.
       */
      source?: string | undefined;
      /**
       * Where the IAM endpoint is set, as the plain-http warning names it
       * (`account "cn" in accounts.yaml: iam.endpoint`); undefined for HUAWEICLOUD_IAM_ENDPOINT.
       */
      endpointSource?: string | undefined;
    };

export interface MetaStudioConfig extends Partial<UpstreamLimits> {
  /** Base URL, without the `/v1/...` path. */
  endpoint: string;
  projectIds: string[];
  auth: AuthConfig;
  /** Sent as `X-App-UserId` when set. */
  appUserId: string | undefined;
  /**
   * Upstream requests per second for the whole account: every project and every worker process
   * together. MetaStudio throttles query APIs per tenant at 10 to 20/s depending on the region.
   * @default 8
   */
  rateLimitPerSecond: number;
  /** Overall deadline for one HTTP request, connect to last body byte. @default 30000 */
  requestTimeoutMs: number;
  /** Tries per request, the first included, for retryable failures. @default 6 */
  maxAttempts: number;
  /** Pages fetched at once within one project's run. @default 8 */
  pageConcurrency: number;
}

/** One MetaStudio account: its endpoint, credential, projects and rate limit. */
export interface AccountConfig extends MetaStudioConfig {
  /** Unique; in logs, metrics, `status`, job data and `sync_projects`. `default` without a file. */
  name: string;
}

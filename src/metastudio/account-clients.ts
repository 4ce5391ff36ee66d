import type { AccountConfig } from "../config/config.js";
import type { Logger } from "../logger.js";
import {
  MetaStudioClient,
  type ListOptions,
  type ListPage,
  type ListParams,
  type RequestRecord,
} from "./metastudio-client.js";
import type { RateLimiter } from "./rate-limiter.js";

export interface AccountClientsOptions {
  accounts: readonly AccountConfig[];
  logger: Logger;
  /** Each account's limiter. @default a memory limiter at the account's rate */
  rateLimiter?: (account: AccountConfig) => RateLimiter;
  /** Every attempt of every request, with the account it was made for. */
  onRequest?: (record: RequestRecord) => void;
}

/**
 * One MetaStudioClient per account, each with its own endpoint, credential, connection pool and
 * limiter, behind the one `listSmartChatRooms` the sync engine calls: the project chooses the
 * account, so a project's requests only ever carry its own account's credential to its own
 * account's endpoint.
 */
export class AccountClients {
  private readonly byProject = new Map<string, MetaStudioClient>();
  private readonly clients: MetaStudioClient[] = [];

  constructor(options: AccountClientsOptions) {
    for (const account of options.accounts) {
      const client = new MetaStudioClient({
        config: account,
        account: account.name,
        logger: options.logger.child({ account: account.name }),
        rateLimiter: options.rateLimiter?.(account),
        onRequest: options.onRequest,
      });
      this.clients.push(client);
      for (const projectId of account.projectIds) this.byProject.set(projectId, client);
    }
  }

  /** The project's account's client; a project no account lists is refused before any request. */
  listSmartChatRooms(params: ListParams, options?: ListOptions): Promise<ListPage> {
    const client = this.byProject.get(params.projectId);
    if (client === undefined) {
      return Promise.reject(new Error(`Project ${params.projectId} is in no configured account.`));
    }
    return client.listSmartChatRooms(params, options);
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.close()));
  }
}

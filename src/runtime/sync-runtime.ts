import type { AccountConfig, Config } from "../config/config.js";
import { type Database } from "../db/database.js";
import { openDatabase } from "../db/open-database.js";
import { migrate } from "../db/migrate.js";
import type { Logger } from "../logger.js";
import { AccountClients } from "../metastudio/account-clients.js";
import type { RequestRecord } from "../metastudio/metastudio-client.js";
import type { RateLimiter } from "../metastudio/rate-limiter.js";
import type { SyncDeps, SyncSettings } from "../sync/run-sync.js";

export interface SyncRuntime {
  database: Database;
  client: AccountClients;
  settings: SyncSettings;
  /** Everything runSync needs, but the per-run options. */
  deps(extra?: Partial<SyncDeps>): SyncDeps;
  close(): Promise<void>;
}

/**
 * Opens what a sync needs, in the order that fails cheapest first: the database, its migrations
 * (applied before any run, as the interface promises), then the upstream client.
 */
export async function openSyncRuntime(
  config: Config,
  logger: Logger,
  options: {
    /** Each account's limiter. @default a memory limiter per account */
    rateLimiter?: (account: AccountConfig) => RateLimiter;
    poolSize?: number;
    /** Every attempt of every request, for metrics. */
    onRequest?: (record: RequestRecord) => void;
  } = {},
): Promise<SyncRuntime> {
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    embeddedDataDir: config.embeddedDataDir,
    poolSize: options.poolSize,
    onWarning: (message) => logger.warn(message),
  });
  try {
    await migrate(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  const client = new AccountClients({
    accounts: config.accounts,
    logger,
    rateLimiter: options.rateLimiter,
    onRequest: options.onRequest,
  });
  const settings: SyncSettings = {
    lookbackSeconds: config.sync.lookbackSeconds,
    massDeleteThreshold: config.sync.massDeleteThreshold,
    clockSkewSeconds: config.sync.clockSkewSeconds,
    runBudget: config.sync.runBudget,
    // Client tuning, the same for every account (see loadConfig).
    pageConcurrency: config.accounts[0]!.pageConcurrency,
  };
  return {
    database,
    client,
    settings,
    deps: (extra = {}) => ({ database, client, logger, settings, ...extra }),
    close: async () => {
      await client.close();
      await database.close();
    },
  };
}

import { sql } from "drizzle-orm";
import pg from "pg";

import type { MetaStudioConfig } from "../../src/config/config.js";
import { type PostgresDatabase } from "../../src/db/database.js";
import { openDatabase } from "../../src/db/open-database.js";
import { migrate } from "../../src/db/migrate.js";
import { queryRows } from "../../src/db/query-rows.js";
import { describeError } from "../../src/describe-error.js";
import { createLogger, type Logger } from "../../src/logger.js";
import { MetaStudioClient } from "../../src/metastudio/metastudio-client.js";
import { startSimulator, type Simulator, type SimulatorBehaviour } from "../../src/simulator/simulator.js";
import { simulatorClientConfig } from "../../src/simulator/simulator-client-config.js";
import { compareMirror, describeDifferences, type MirrorDifference } from "../../src/sync/compare-mirror.js";
import { runSync, type SyncDeps, type SyncJob, type SyncSettings } from "../../src/sync/run-sync.js";
import type { RunSummary } from "../../src/sync/run-summary.js";
import type { DrillContext, DrillResult } from "./drill.js";

/** Not a secret: the simulator's made-up credential, also handed to worker processes. */
export const DRILL_TOKEN = "drill-token";

export interface SubjectOptions {
  /** Names the project and the database: lower case, digits and underscores. */
  name: string;
  rooms: number;
  seed: number;
  behaviour?: Partial<SimulatorBehaviour>;
  settings?: Partial<SyncSettings>;
  client?: Partial<MetaStudioConfig>;
  /** The client's and the runs' logger, for drills that read what was logged. @default silent */
  logger?: Logger;
}

export interface RetryOptions {
  job?: Partial<SyncJob>;
  deps?: Partial<SyncDeps>;
  /** @default 15 */
  maxAttempts?: number;
  /** Between a failed run and the next. @default 500 */
  pauseMs?: number;
  /** No new attempt after this long. @default 90000 */
  deadlineMs?: number;
}

/** What survives of a run besides the mirror: rows a finished run should not leave behind. */
export interface Bookkeeping {
  running: number;
  scratchRows: number;
}

/**
 * One project under drill: a simulator, a database of its own in the drills' Postgres, a client,
 * and runs counted as they fail or succeed. Every run is bounded in time: a hang is a finding.
 */
export class DrillSubject {
  runsFailed = 0;
  runsSucceeded = 0;
  readonly projectId: string;

  private constructor(
    private readonly context: DrillContext,
    readonly sim: Simulator,
    readonly database: PostgresDatabase,
    readonly client: MetaStudioClient,
    private readonly settings: SyncSettings,
    name: string,
    /** The database's URL, for processes of its own (the worker drills). */
    readonly databaseUrl: string,
    private readonly logger: Logger,
  ) {
    this.projectId = `drill-${name.replace(/_/g, "-")}`;
  }

  static async open(context: DrillContext, options: SubjectOptions): Promise<DrillSubject> {
    const projectId = `drill-${options.name.replace(/_/g, "-")}`;
    const dbName = `drill_${options.name}`;
    const admin = new pg.Client({ connectionString: context.postgres.url });
    await admin.connect();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.query(`create database ${dbName}`);
    await admin.end();
    const url = new URL(context.postgres.url);
    url.pathname = `/${dbName}`;
    const database = (await openDatabase({
      databaseUrl: url.toString(),
      embeddedDataDir: "",
    })) as PostgresDatabase;
    await migrate(database);
    const sim = await startSimulator({
      projectIds: [projectId],
      roomsPerProject: options.rooms,
      seed: options.seed,
      credentials: { accessKeys: {}, tokens: [DRILL_TOKEN], iamUsers: [] },
      behaviour: options.behaviour,
    });
    const client = new MetaStudioClient({
      config: simulatorClientConfig(sim.url, [projectId], DRILL_TOKEN, options.client),
      logger: options.logger ?? createLogger("silent"),
      baseDelayMs: 10,
      maxDelayMs: 200,
    });
    const settings: SyncSettings = {
      lookbackSeconds: 3600,
      massDeleteThreshold: 0.2,
      pageConcurrency: 4,
      ...options.settings,
    };
    const logger = options.logger ?? createLogger(process.env.DRILL_LOG_LEVEL ?? "silent");
    return new DrillSubject(context, sim, database, client, settings, options.name, url.toString(), logger);
  }

  /** One run, counted; rejects if it fails or takes longer than `timeoutMs`. */
  async sync(
    job: Partial<SyncJob> = {},
    deps: Partial<SyncDeps> = {},
    timeoutMs = 60_000,
  ): Promise<RunSummary> {
    const full: SyncDeps = {
      database: this.database,
      client: this.client,
      logger: this.logger,
      settings: this.settings,
      ...deps,
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the run did not end within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const summary = await Promise.race([
        runSync(full, { projectId: this.projectId, mode: "full", trigger: "cli", ...job }),
        timeout,
      ]);
      this.runsSucceeded += 1;
      return summary;
    } catch (error) {
      this.runsFailed += 1;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs until one succeeds, as a scheduler retrying a failed job would; bounded in count and time. */
  async syncUntilSuccess(options: RetryOptions = {}): Promise<RunSummary> {
    const maxAttempts = options.maxAttempts ?? 15;
    const deadline = Date.now() + (options.deadlineMs ?? 90_000);
    for (let attempt = 1; ; attempt += 1) {
      try {
        const summary = await this.sync(options.job, options.deps);
        this.context.say(
          `run ${attempt} succeeded: ${summary.counts.requests} requests, ` +
            `${summary.counts.roomsInserted} inserted, ${summary.counts.roomsUpdated} updated, ` +
            `${summary.counts.roomsDeleted} deleted` +
            (summary.resumedFrom ? `, resumed a failed run` : ""),
        );
        return summary;
      } catch (error) {
        const message = describeError(error); // bounded: a failed query's parameters can be megabytes
        this.context.say(`run ${attempt} failed: ${message.replace(/\s+/g, " ").slice(0, 140)}`);
        if (attempt >= maxAttempts || Date.now() >= deadline) {
          throw new Error(`no run succeeded in ${attempt} attempts`, { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? 500));
      }
    }
  }

  compare(): Promise<MirrorDifference[]> {
    return compareMirror(this.database.db, this.projectId, this.sim.rooms(this.projectId));
  }

  /**
   * Everything wrong after the drill's last run: mirror differences, runs left 'running', scratch
   * rows left behind, and pool clients still checked out (a leak that ends in a hang).
   */
  async verify(): Promise<string[]> {
    const checkedOut = this.database.pool.totalCount - this.database.pool.idleCount;
    const differences = await this.compare();
    const { running, scratchRows } = await this.bookkeeping();
    const problems: string[] = [];
    if (differences.length > 0) problems.push(describeDifferences(differences));
    if (running > 0) problems.push(`${running} runs left 'running'`);
    if (scratchRows > 0) problems.push(`${scratchRows} scratch rows left behind`);
    if (checkedOut > 0) problems.push(`${checkedOut} database connections never given back`);
    return problems;
  }

  /** The table row: this subject's counts, and "exact" only if there are no problems. */
  result(drill: string, did: string, problems: string[]): DrillResult {
    return {
      drill,
      did,
      runsFailed: this.runsFailed,
      runsSucceeded: this.runsSucceeded,
      requests: this.requests,
      rooms: this.rooms,
      ok: problems.length === 0,
      outcome: problems.length === 0 ? "exact" : `WRONG: ${problems.join("; ")}`,
    };
  }

  async bookkeeping(): Promise<Bookkeeping> {
    const [row] = await queryRows<Bookkeeping>(
      this.database.db,
      sql`select
        (select count(*)::int from sync_runs where project_id = ${this.projectId} and status = 'running') as running,
        ((select count(*)::int from sync_seen_rooms s join sync_runs r on r.id = s.run_id
           where r.project_id = ${this.projectId}) +
         (select count(*)::int from sync_run_windows w join sync_runs r on r.id = w.run_id
           where r.project_id = ${this.projectId})) as "scratchRows"`,
    );
    return { running: Number(row?.running ?? 0), scratchRows: Number(row?.scratchRows ?? 0) };
  }

  /** List requests the simulator answered (or cut off), retries included. */
  get requests(): number {
    return this.sim.requestsServed;
  }

  get rooms(): number {
    return this.sim.rooms(this.projectId).length;
  }

  /** Bounded: a pool waiting for a connection nobody gives back would otherwise wait forever. */
  async close(): Promise<void> {
    await this.client.close();
    await this.sim.close();
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error("the database pool did not close in 10 s: a connection was never given back")),
        10_000,
      );
    });
    try {
      await Promise.race([this.database.close(), stuck]);
    } finally {
      clearTimeout(timer);
    }
  }
}

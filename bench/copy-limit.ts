/**
 * The write side's limit: exactly the rows a first full sync writes for the same rooms (each
 * room's row with its content hash and run stamp, its voice configs, and a `created` change row
 * keeping the whole item in `after`; a written room needs no seen row since 0004_cheaper_rows),
 * streamed with COPY into the same schema in one transaction. The rooms are fetched first, off
 * the clock; the clock runs from mapping the first room to the commit, so the mapping and hashing
 * the engine must do too are in it. Run by the bench in a child process with the CLI's
 * environment (DATABASE_URL: a freshly migrated database):
 *   tsx bench/copy-limit.ts    # prints one JSON line
 */
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";

import pg from "pg";

import { smartChatRoomChanges, smartChatRoomVoiceConfigs, smartChatRooms } from "../src/db/schema.js";
import { contentHash, roomColumns, voiceConfigRows } from "../src/sync/room-record.js";
import { cpuSecondsSince, isMain, runBenchChild } from "./bench-child.js";
import { fetchAll, type FetchedRoom } from "./fetch-only.js";
import { copyRows } from "./copy-rows.js";
import { cpuSeconds } from "./proc-stat.js";

export interface CopyLimitResult {
  rooms: number;
  /** Rows written, all three tables together. */
  rows: number;
  wallMs: number;
  /** This process's CPU from the first room mapped to the commit. */
  cpuSeconds: number;
  /** The CPU of the Postgres backend that took the COPY, over the same span. */
  postgresCpuSeconds: number;
  peakRssMb: number;
}

function* map<T, U>(items: Iterable<T>, f: (item: T) => Iterable<U>): Generator<U> {
  for (const item of items) yield* f(item);
}

/** Streams the three tables' rows for `fetched` in one transaction; returns the rows written. */
export async function copyRoomRows(client: pg.ClientBase, projectId: string, fetched: FetchedRoom[]) {
  const runId = randomUUID();
  const observedAt = new Date();
  await client.query("begin");
  let rows = await copyRows(
    client,
    smartChatRooms,
    map(fetched, ({ room, requestId }) => [
      {
        ...roomColumns(projectId, room),
        contentHash: contentHash(room),
        firstSeenAt: observedAt,
        lastSeenAt: observedAt,
        lastChangedAt: observedAt,
        deletedAt: null,
        lastRequestId: requestId ?? null,
        writtenByRun: runId,
      },
    ]),
  );
  rows += await copyRows(
    client,
    smartChatRoomVoiceConfigs,
    map(fetched, ({ room }) => voiceConfigRows(projectId, room)),
  );
  rows += await copyRows(
    client,
    smartChatRoomChanges,
    map(fetched, ({ room, requestId }) => [
      {
        projectId,
        roomId: room.room_id,
        runId,
        requestId: requestId ?? null,
        change: "created" as const,
        changedFields: Object.keys(room).sort(),
        after: room,
        observedAt,
      },
    ]),
  );
  await client.query("commit");
  return rows;
}

async function main(): Promise<Omit<CopyLimitResult, "peakRssMb">> {
  const fetched: FetchedRoom[] = [];
  await fetchAll(process.env, (rooms) => fetched.push(...rooms));
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const { rows: self } = await client.query<{ pid: number }>("select pg_backend_pid() as pid");
    const backend = self[0]!.pid;
    // The fetch's garbage is not the COPY's: collect it before the clock starts.
    (globalThis as { gc?: () => void }).gc?.();
    const postgresBefore = cpuSeconds(backend) ?? 0;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const rows = await copyRoomRows(client, process.env.METASTUDIO_PROJECT_IDS!, fetched);
    return {
      rooms: fetched.length,
      rows,
      wallMs: performance.now() - started,
      cpuSeconds: cpuSecondsSince(cpuBefore),
      postgresCpuSeconds: (cpuSeconds(backend) ?? postgresBefore) - postgresBefore,
    };
  } finally {
    await client.end();
  }
}

/** Runs this file in a child process with `env` (the CLI's) and `nodeFlags` (the CLI's too). */
export function measureCopyLimit(env: NodeJS.ProcessEnv, nodeFlags: string[]): Promise<CopyLimitResult> {
  return runBenchChild<Omit<CopyLimitResult, "peakRssMb">>(fileURLToPath(import.meta.url), env, nodeFlags);
}

if (isMain("copy-limit")) process.stdout.write(`${JSON.stringify(await main())}\n`);

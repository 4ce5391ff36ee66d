/**
 * The read side's limit: every page of one project fetched and validated by the same client the
 * engine uses, with the same number of requests in flight (METASTUDIO_PAGE_CONCURRENCY), and
 * nothing written. Run by the bench in a child process with the CLI's environment:
 *   tsx bench/fetch-only.ts    # prints one JSON line
 */
import { fileURLToPath } from "node:url";

import { loadConfig } from "../src/config/config.js";
import { createLogger } from "../src/logger.js";
import { MetaStudioClient } from "../src/metastudio/metastudio-client.js";
import type { SmartChatRoom } from "../src/metastudio/room-schema.js";
import { cpuSecondsSince, isMain, runBenchChild } from "./bench-child.js";

export interface FetchOnlyResult {
  rooms: number;
  requests: number;
  /** From the first request to the last page parsed. */
  wallMs: number;
  /** The process's CPU over the same span (start-up excluded). */
  cpuSeconds: number;
  peakRssMb: number;
}

export interface FetchedRoom {
  room: SmartChatRoom;
  requestId: string | undefined;
}

const PAGE = 100;

/**
 * Pages through the first project's whole list by offset, `METASTUDIO_PAGE_CONCURRENCY` requests
 * at a time. `keep` receives every page's rooms (the COPY limit keeps them; this script does not).
 */
export async function fetchAll(
  env: NodeJS.ProcessEnv,
  keep?: (rooms: FetchedRoom[]) => void,
): Promise<Omit<FetchOnlyResult, "peakRssMb">> {
  const config = loadConfig(env);
  const account = config.accounts[0]!;
  const client = new MetaStudioClient({ config: account, logger: createLogger(config.logLevel) });
  const projectId = account.projectIds[0]!;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  try {
    const first = await client.listSmartChatRooms({ projectId, offset: 0, limit: PAGE });
    const counts = { rooms: 0, requests: 0 };
    const take = (page: typeof first) => {
      counts.rooms += page.rooms.length;
      counts.requests += 1;
      keep?.(page.rooms.map((room) => ({ room, requestId: page.requestId })));
    };
    take(first);
    let next = PAGE;
    const worker = async () => {
      while (next < first.count) {
        const offset = next;
        next += PAGE;
        take(await client.listSmartChatRooms({ projectId, offset, limit: PAGE }));
      }
    };
    await Promise.all(Array.from({ length: account.pageConcurrency }, worker));
    return { ...counts, wallMs: performance.now() - started, cpuSeconds: cpuSecondsSince(cpuBefore) };
  } finally {
    await client.close();
  }
}

/** Runs this file in a child process with `env` (the CLI's) and `nodeFlags` (the CLI's too). */
export function measureFetchOnly(env: NodeJS.ProcessEnv, nodeFlags: string[]): Promise<FetchOnlyResult> {
  return runBenchChild<Omit<FetchOnlyResult, "peakRssMb">>(fileURLToPath(import.meta.url), env, nodeFlags);
}

if (isMain("fetch-only")) process.stdout.write(`${JSON.stringify(await fetchAll(process.env))}\n`);

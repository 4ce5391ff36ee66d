import type { Churn } from "./churn.js";
import type { HostileAnswers } from "./hostile-answers.js";
import type { SimulatorRequestLog } from "./request-log.js";
import type { SimulatorCredentials } from "./simulator-auth.js";
import type { SimulatorBehaviour } from "./simulator-behaviour.js";
import { simulatorHandle } from "./simulator-handle.js";
import { startSimulatorServer } from "./simulator-server.js";
import { createSimulatorState } from "./simulator-state.js";
import type { ChangeCounts } from "./upstream-projects.js";

export type { ChangeCounts, Churn, SimulatorBehaviour, SimulatorCredentials, SimulatorRequestLog };

export interface SimulatorOptions {
  projectIds: string[];
  /** @default 1000 */
  roomsPerProject?: number;
  /** Same seed and size, same dataset. @default 1 */
  seed?: number;
  credentials: SimulatorCredentials;
  /** @default "127.0.0.1" */
  host?: string;
  /** @default 0 (a free port) */
  port?: number;
  behaviour?: Partial<SimulatorBehaviour>;
  /** Our clock; the upstream's is this plus `clockOffsetSeconds`. @default the real time */
  now?: () => Date;
  /**
   * Requests `requests` keeps, the newest: a simulator serving a long drill or a 1M-room bench
   * must not grow without end. @default 50000
   */
  maxLoggedRequests?: number;
}

export interface Simulator {
  /** Base URL, also the IAM endpoint. */
  url: string;
  close(): Promise<void>;
  setBehaviour(patch: Partial<SimulatorBehaviour>): void;
  /** The upstream's current rooms, as the API returns them (copies). */
  rooms(projectId: string): Record<string, unknown>[];
  createRoom(projectId: string, fields?: Record<string, unknown>): Record<string, unknown>;
  /** Applies `fields` and moves `update_time` to the upstream's now, unless `fields` sets it. */
  updateRoom(projectId: string, roomId: string, fields?: Record<string, unknown>): Record<string, unknown>;
  deleteRoom(projectId: string, roomId: string): void;
  /**
   * Every room ID the upstream ever deleted in this project (by deleteRoom, churn or
   * `mutationsPerRequest`), even if it came back since: a `deleted` change recorded for any
   * other room is a phantom.
   */
  deletedRoomIds(projectId: string): Set<string>;
  /** Rooms the upstream created, edited and deleted by itself (churn and `mutationsPerRequest`). */
  changeCounts(projectId: string): ChangeCounts;
  /** The upstream's clock: ours plus `clockOffsetSeconds`. */
  upstreamNow(): Date;
  /** A raw, possibly malformed, item served like a room. */
  injectItem(projectId: string, item: unknown): void;
  /** The newest requests (see SimulatorOptions.maxLoggedRequests). */
  readonly requests: SimulatorRequestLog[];
  /** Every request answered since start, however many the log still keeps. */
  readonly requestsServed: number;
  /** Scripted hostile answers (see HostileAnswers), served before anything else. */
  readonly hostile: HostileAnswers;
  readonly issuedTokens: number;
  revokeTokens(): void;
}

/**
 * The documented `GET /v1/{project_id}/smart-chat-rooms` and IAM's `POST /v3/auth/tokens`, over
 * real HTTP, faithful by default and hostile on request (every fault drawn from a seeded PRNG,
 * so a failing test fails the same way twice).
 */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const state = createSimulatorState(options);
  const server = await startSimulatorServer(state, options.host ?? "127.0.0.1", options.port ?? 0);
  return simulatorHandle(state, server);
}

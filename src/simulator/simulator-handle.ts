import { checkChurn } from "./churn.js";
import type { HostileAnswers } from "./hostile-answers.js";
import type { SimulatorRequestLog } from "./request-log.js";
import type { SimulatorBehaviour } from "./simulator-behaviour.js";
import type { SimulatorServer } from "./simulator-server.js";
import type { SimulatorState } from "./simulator-state.js";
import type { ChangeCounts } from "./upstream-projects.js";

/** A running simulator: its URL, and the calls that script and inspect it. */
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

/** What tests and drills hold: the server's URL, and the state to script and inspect. */
export function simulatorHandle(state: SimulatorState, server: SimulatorServer): Simulator {
  const { behaviour, projects, auth, log } = state;
  return {
    url: server.url,
    close: () => server.close(),
    setBehaviour: (patch) => {
      if (patch.churn) {
        checkChurn(patch.churn);
        // A rate set now owes nothing for the time before it.
        projects.resetChurnClock();
      }
      Object.assign(behaviour, patch);
    },
    rooms: (projectId) =>
      projects
        .store(projectId)
        .items()
        .map((item) => structuredClone(item) as Record<string, unknown>),
    createRoom: (projectId, fields) => structuredClone(projects.create(projectId, fields)),
    updateRoom: (projectId, roomId, fields) => structuredClone(projects.update(projectId, roomId, fields)),
    deleteRoom: (projectId, roomId) => {
      if (!projects.delete(projectId, roomId)) throw new Error(`no room ${roomId} in project ${projectId}`);
    },
    deletedRoomIds: (projectId) => projects.deletedIds(projectId),
    changeCounts: (projectId) => projects.changeCounts(projectId),
    upstreamNow: state.upstreamNow,
    injectItem: (projectId, item) => projects.store(projectId).inject(item),
    requests: log.entries,
    get requestsServed() {
      return log.served;
    },
    hostile: state.hostile,
    get issuedTokens() {
      return auth.issuedCount;
    },
    revokeTokens: () => auth.revokeAll(),
  };
}

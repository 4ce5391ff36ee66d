import { checkChurn } from "./churn.js";
import type { Simulator } from "./simulator.js";
import type { SimulatorServer } from "./simulator-server.js";
import type { SimulatorState } from "./simulator-state.js";

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

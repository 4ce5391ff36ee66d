import type { Churn } from "./churn.js";
import type { SimulatorRequestLog } from "./request-log.js";
import type { SimulatorCredentials } from "./simulator-auth.js";
import type { SimulatorBehaviour } from "./simulator-behaviour.js";
import { type Simulator, simulatorHandle } from "./simulator-handle.js";
import type { SimulatorOptions } from "./simulator-options.js";
import { startSimulatorServer } from "./simulator-server.js";
import { createSimulatorState } from "./simulator-state.js";
import type { ChangeCounts } from "./upstream-projects.js";

export type {
  ChangeCounts,
  Churn,
  Simulator,
  SimulatorBehaviour,
  SimulatorCredentials,
  SimulatorOptions,
  SimulatorRequestLog,
};

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

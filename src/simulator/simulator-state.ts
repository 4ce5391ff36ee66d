import { checkChurn } from "./churn.js";
import { HostileAnswers } from "./hostile-answers.js";
import { createPrng } from "./prng.js";
import { RateWindow } from "./rate-window.js";
import { RequestLog } from "./request-log.js";
import { DEFAULT_BEHAVIOUR, type SimulatorBehaviour } from "./simulator-behaviour.js";
import { SimulatorAuth } from "./simulator-auth.js";
import type { SimulatorOptions } from "./simulator-options.js";
import { UpstreamProjects } from "./upstream-projects.js";

/** Everything a simulator holds, shared by its request handling and the handle tests drive it with. */
export interface SimulatorState {
  /** Patched in place (setBehaviour): each step of a request reads it when it gets there. */
  readonly behaviour: SimulatorBehaviour;
  /**
   * Faults, edits per request, shuffled ties and rooms created by hand all draw from it, in the
   * order requests and calls reach them (see list-faults.ts); churn has a PRNG of its own.
   */
  readonly random: () => number;
  /** Our clock. */
  readonly now: () => Date;
  /** The upstream's: ours plus `clockOffsetSeconds`. */
  readonly upstreamNow: () => Date;
  readonly projects: UpstreamProjects;
  readonly auth: SimulatorAuth;
  readonly hostile: HostileAnswers;
  readonly log: RequestLog;
  readonly window: RateWindow;
}

/** Builds the dataset and everything else a simulator holds; throws on an invalid churn first. */
export function createSimulatorState(options: SimulatorOptions): SimulatorState {
  const seed = options.seed ?? 1;
  const now = options.now ?? (() => new Date());
  const random = createPrng(seed ^ 0x5eed);
  const behaviour: SimulatorBehaviour = { ...DEFAULT_BEHAVIOUR, ...options.behaviour };
  checkChurn(behaviour.churn);
  const upstreamNow = () => new Date(now().getTime() + behaviour.clockOffsetSeconds * 1000);
  const roomsPerProject = options.roomsPerProject ?? 1000;
  return {
    behaviour,
    random,
    now,
    upstreamNow,
    projects: new UpstreamProjects(options.projectIds, roomsPerProject, seed, random, upstreamNow),
    auth: new SimulatorAuth(options.credentials, upstreamNow),
    hostile: new HostileAnswers(),
    log: new RequestLog(options.maxLoggedRequests ?? 50_000),
    window: new RateWindow(),
  };
}

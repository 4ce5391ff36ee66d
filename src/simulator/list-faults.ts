import type { SimulatorBehaviour } from "./simulator-behaviour.js";

/** The shares of list requests each fault strikes. */
export type FaultRates = Pick<
  SimulatorBehaviour,
  "resetRate" | "throttleRate" | "error5xxRate" | "truncateRate"
>;

/*
 * Which faults strike a list request, each drawn from the simulator's seeded PRNG at the point
 * the request reaches it rather than all up front: a request refused earlier draws nothing for
 * the later points, and the page computed between the last two draws too (edits per request,
 * shuffled ties). A seed's outcomes depend on that order, so it must not change. Each point
 * draws even at a rate of 0, so turning one fault on shifts no other's draws until it strikes.
 */

/** On arrival: the connection is destroyed without an answer. */
export function resetsConnection(rates: FaultRates, random: () => number): boolean {
  return random() < rates.resetRate;
}

/** After the rate window: past the limit a request is throttled without a draw. */
export function throttles(rates: FaultRates, overLimit: boolean, random: () => number): boolean {
  return overLimit || random() < rates.throttleRate;
}

/** Once the request is authenticated and valid: a 500 instead of the page. */
export function failsInternally(rates: FaultRates, random: () => number): boolean {
  return random() < rates.error5xxRate;
}

/** Once the page is computed: half its body sent, then the connection dropped. */
export function truncatesBody(rates: FaultRates, random: () => number): boolean {
  return random() < rates.truncateRate;
}

/**
 * The bench's scenarios, in the order they run on one mirror and one simulator: a first full
 * sync into an empty mirror; a second one over that complete mirror with nothing changed
 * upstream (it reads every page and compares every room, and must write nothing); a quiet
 * incremental run; and an incremental run after 1% of the rooms changed upstream.
 */
export const SCENARIOS = ["full", "full again", "quiet", "incremental 1%"] as const;

export type Scenario = (typeof SCENARIOS)[number];

/** The scenarios that run `sync --full`: every room is read, so rooms/s and x minimum apply. */
export const FULL_RUNS = ["full", "full again"] as const satisfies readonly Scenario[];

export const isFullRun = (scenario: Scenario): boolean =>
  (FULL_RUNS as readonly Scenario[]).includes(scenario);

/** One implementation's run of one scenario, as the bench measured it. */
export interface ScenarioResult {
  impl: "metastudio-sync" | "naive";
  scenario: Scenario;
  /** The run itself: metastudio-sync's summary duration (process start excluded), the baseline's loop. */
  wallMs: number;
  requests: number;
  roomRows: number;
  voiceRows: number;
  peakRssMb: number | undefined;
  /** The CLI process's wall time and CPU, start-up included; Postgres CPU of its database. */
  processWallMs?: number;
  nodeCpuSeconds?: number;
  postgresCpuSeconds?: number;
  fetchMs?: number;
  validateMs?: number;
  writeMs?: number;
}
